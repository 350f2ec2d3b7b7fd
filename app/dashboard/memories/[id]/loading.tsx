import { FormSkeleton } from "@/app/ui/skeleton";

export default function Loading() {
  return <FormSkeleton title="Memory" fields={5} />;
}
