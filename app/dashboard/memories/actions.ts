"use server";
// The memory forms' server actions: the same zod schemas and lib/memories services as POST, PATCH
// and DELETE /memories, audited as POSTs to the page the form is on. A refusal comes back to the
// form; a success redirects with a notice.
import { redirect } from "next/navigation";
import { requireUserPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { memoryIdParams } from "@/lib/memories/schemas";
import { createMemory, deleteMemory, updateMemory, type MemoryJson } from "@/lib/memories/service";
import { formText, type FormState } from "@/app/ui/form-state";
import { refusalState } from "../refusals";
import { parseMemoryChanges, parseNewMemory, readMemoryForm } from "./memory-form-data";

const memoryPath = (id: number) => `/dashboard/memories/${id}`;

/** The id a form was bound to, checked as the API checks a path parameter. */
function memoryId(id: unknown): number | null {
  const parsed = memoryIdParams.safeParse({ id: String(id) });
  return parsed.success ? parsed.data.id : null;
}

export async function createMemoryAction(_previous: FormState | null, form: FormData): Promise<FormState> {
  const { actor, audit } = await requireUserPage("/dashboard/memories/new", "", "POST");
  const values = readMemoryForm(form);
  const parsed = parseNewMemory(values);
  if (!parsed.ok) return { errors: parsed.errors, values };
  let memory: MemoryJson;
  try {
    memory = await createMemory(await getDb(), actor, parsed.input, audit);
  } catch (error) {
    return { ...(await refusalState(error, audit, { resourceType: "memory" })), values };
  }
  redirect(`${memoryPath(memory.id)}?notice=created`);
}

export async function updateMemoryAction(boundId: number, _previous: FormState | null, form: FormData): Promise<FormState> {
  const id = memoryId(boundId);
  if (id === null) return { errors: {}, message: "This memory does not exist." };
  const { actor, audit } = await requireUserPage(memoryPath(id), "", "POST");
  const values = readMemoryForm(form);
  const parsed = parseMemoryChanges(values, formText(form, "baseline"));
  if ("unchanged" in parsed) return { errors: {}, message: "Nothing to save: no field was changed.", values };
  if (!parsed.ok) return { errors: parsed.errors, values };
  try {
    await updateMemory(await getDb(), actor, id, parsed.input, audit);
  } catch (error) {
    return { ...(await refusalState(error, audit, { resourceType: "memory", resourceId: id })), values };
  }
  redirect(`${memoryPath(id)}?notice=updated`);
}

export async function deleteMemoryAction(boundId: number, _previous: FormState | null): Promise<FormState> {
  const id = memoryId(boundId);
  if (id === null) return { errors: {}, message: "This memory does not exist." };
  const { actor, audit } = await requireUserPage(memoryPath(id), "confirm=delete", "POST");
  try {
    await deleteMemory(await getDb(), actor, id, audit);
  } catch (error) {
    return refusalState(error, audit, { resourceType: "memory", resourceId: id });
  }
  redirect(`/dashboard/memories?deleted=${id}`);
}
