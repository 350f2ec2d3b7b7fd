import { FormSkeleton } from "@/app/ui/skeleton";

export default function Loading() {
  return <FormSkeleton title="New memory" fields={4} />;
}
