import { Card } from "@/components/ui/card";
import { LoadingRows } from "@/components/ui/states";

export default function Loading() {
  return (
    <div>
      <div className="mb-6 h-8 w-48 animate-pulse rounded bg-slate-200" />
      <Card>
        <LoadingRows />
      </Card>
    </div>
  );
}
