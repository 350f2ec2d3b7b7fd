import { FormSkeleton } from "../../skeletons";

export default function Loading() {
  return <FormSkeleton title="Memory" fields={5} />;
}
