import { FormSkeleton } from "../skeletons";

export default function Loading() {
  return <FormSkeleton title="Your account" fields={3} />;
}
