import { FormSkeleton } from "../../skeletons";

export default function Loading() {
  return <FormSkeleton title="New memory" fields={4} />;
}
