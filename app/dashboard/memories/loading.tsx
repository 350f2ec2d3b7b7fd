import { TableSkeleton } from "@/app/ui/skeleton";

export default function Loading() {
  return <TableSkeleton title="Your memories" rows={6} />;
}
