CREATE TABLE "retention_marks" (
	"taken_at" timestamp with time zone PRIMARY KEY DEFAULT now() NOT NULL,
	"step_log_id" bigint NOT NULL
);
