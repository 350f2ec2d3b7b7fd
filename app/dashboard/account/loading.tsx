import { FormSkeleton } from "@/app/ui/skeleton";

export default function Loading() {
  return <FormSkeleton title="Your account" fields={3} />;
}
