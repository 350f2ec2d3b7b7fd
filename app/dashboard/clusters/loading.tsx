import { TableSkeleton } from "@/app/ui/skeleton";

export default function Loading() {
  return <TableSkeleton title="Your clusters" rows={4} />;
}
