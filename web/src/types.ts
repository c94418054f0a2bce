// The REST API's shapes the app uses (Segments.ai-compatible; contract segments-api.md).

export type LabelStatus =
  | "UNLABELED"
  | "LABELING_IN_PROGRESS"
  | "LABELED"
  | "REVIEWING_IN_PROGRESS"
  | "REVIEWED"
  | "REJECTED"
  | "SKIPPED"
  | "PRELABELED"
  | "VERIFIED";

export const STATUS_WORDS: Record<LabelStatus, string> = {
  UNLABELED: "Unlabeled",
  LABELING_IN_PROGRESS: "Labeling in progress",
  LABELED: "Labeled",
  REVIEWING_IN_PROGRESS: "Reviewing in progress",
  REVIEWED: "Reviewed",
  REJECTED: "Rejected",
  SKIPPED: "Skipped",
  PRELABELED: "Prelabeled",
  VERIFIED: "Verified",
};

export const ALL_STATUSES = Object.keys(STATUS_WORDS) as LabelStatus[];

export interface AttributeDef {
  name: string;
  input_type: "select" | "text" | "number" | "checkbox" | string;
  values?: string[];
  default_value?: unknown;
  min?: number;
  max?: number;
  step?: number;
}

export interface CategoryDef {
  id: number;
  name: string;
  color?: number[];
  attributes?: AttributeDef[];
}

export interface Dataset {
  name: string;
  full_name: string;
  owner: { username: string };
  task_type: string;
  data_type?: string;
  label_stats: Record<string, number>;
  samples_count: number;
  task_attributes?: { format_version?: string; categories?: CategoryDef[]; image_attributes?: AttributeDef[] } | null;
  labelsets: { name: string }[];
  role: string | null;
  enable_skip_labeling?: boolean;
  public?: boolean;
}

export interface SampleSummary {
  uuid: string;
  name: string;
  priority?: number;
  created_at: string;
  label?: { label_status: LabelStatus; updated_at?: string } | null;
  attributes?: { image?: { url: string } };
}

export interface Sample {
  uuid: string;
  name: string;
  dataset_full_name: string;
  attributes: { image?: { url: string } } & Record<string, unknown>;
  priority?: number;
}

export interface Label {
  label_status: LabelStatus;
  attributes: Record<string, unknown> | null;
  updated_at: string;
  created_by?: string | null;
  updated_by?: string | null;
}

export interface Issue {
  uuid: string;
  description: string;
  status: "OPEN" | "CLOSED";
  created_by?: string | null;
  created_at: string;
  sample_uuid?: string;
  sample_name?: string;
}

export const ROLE_RANK: Record<string, number> = { viewer: 0, labeler: 1, reviewer: 2, manager: 3, admin: 4 };
export const roleAtLeast = (role: string | null | undefined, min: string) =>
  (ROLE_RANK[role ?? "viewer"] ?? 0) >= ROLE_RANK[min];
