// A user's memories: filters and text search held in the URL and validated with the API's query
// schemas, so a copied link reproduces the view. The rows load in a Suspense boundary keyed by the
// filters, behind a skeleton.
import Link from "next/link";
import { Suspense } from "react";
import { requireUserPage } from "@/lib/auth/pages";
import { memoryIdParams, TIERS } from "@/lib/memories/schemas";
import { canWrite } from "@/lib/memories/service";
import { FilterForm } from "@/app/ui/filter-form";
import { queryValues, type SearchParams } from "@/app/ui/search-params";
import { describedBy, FieldError } from "@/app/ui/field-error";
import { TIER_LABELS } from "../format";
import { RowsSkeleton } from "@/app/ui/skeleton";
import { FILTER_PARAMS, NARROWING_PARAMS, PAGE_SIZES, parseMemoryFilters } from "./filters";
import { MemoryResults } from "./memory-results";

export const dynamic = "force-dynamic";
export const metadata = { title: "Your memories" };

const PATH = "/dashboard/memories";

export default async function MemoriesPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const values = queryValues(params, FILTER_PARAMS);
  const { actor, audit } = await requireUserPage(PATH, new URLSearchParams(values).toString());
  const filters = parseMemoryFilters(values);
  const errors = filters.kind === "invalid" ? filters.errors : {};
  const narrowed = NARROWING_PARAMS.some((name) => values[name] !== undefined);
  const deleted = memoryIdParams.safeParse({ id: params.deleted });
  const moreHref = (topK: string) => `${PATH}?${new URLSearchParams({ ...values, top_k: topK })}`;
  const topK = values.top_k ?? "20";
  const view = JSON.stringify(values);

  return (
    <main className="page wide">
      <div className="page-head">
        <h1>Your memories</h1>
        {canWrite(actor) && (
          <Link href="/dashboard/memories/new" className="button-link">
            New memory
          </Link>
        )}
      </div>
      {deleted.success && (
        <p role="status" className="card notice">
          Memory #{deleted.data.id} was deleted.
        </p>
      )}
      {/* Keyed by the URL's filters, so that "Clear" or a back navigation also resets what the controls show. */}
      <div key={`filters:${view}`}>
        <FilterForm action={PATH} className="card filters" aria-label="Filters">
          <div className="field">
            <label htmlFor="q">Search text</label>
            <input id="q" name="q" type="search" defaultValue={values.q ?? ""} {...describedBy("q", errors.q)} />
            <FieldError name="q" label="Search text" error={errors.q} />
          </div>
          <div className="field">
            <label htmlFor="thread_id">Thread</label>
            <input id="thread_id" name="thread_id" defaultValue={values.thread_id ?? ""} {...describedBy("thread_id", errors.thread_id)} />
            <FieldError name="thread_id" label="Thread" error={errors.thread_id} />
          </div>
          <div className="field">
            <label htmlFor="namespace">Namespace</label>
            <input id="namespace" name="namespace" defaultValue={values.namespace ?? ""} {...describedBy("namespace", errors.namespace)} />
            <FieldError name="namespace" label="Namespace" error={errors.namespace} />
          </div>
          <div className="field">
            <label htmlFor="tier">Tier</label>
            <select id="tier" name="tier" defaultValue={values.tier ?? ""} {...describedBy("tier", errors.tier)}>
              <option value="">Any tier</option>
              {TIERS.map((tier) => (
                <option key={tier} value={tier}>
                  {TIER_LABELS[tier]}
                </option>
              ))}
              {values.tier && !(TIERS as readonly string[]).includes(values.tier) && <option value={values.tier}>{values.tier}</option>}
            </select>
            <FieldError name="tier" label="Tier" error={errors.tier} />
          </div>
          <div className="field">
            <label htmlFor="top_k">Show</label>
            <select id="top_k" name="top_k" defaultValue={topK} {...describedBy("top_k", errors.top_k)}>
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  up to {size}
                </option>
              ))}
              {!(PAGE_SIZES as readonly string[]).includes(topK) && <option value={topK}>{topK}</option>}
            </select>
            <FieldError name="top_k" label="Show" error={errors.top_k} />
          </div>
          <div className="actions filter-actions">
            <button type="submit">Apply filters</button>
            {narrowed && <Link href={PATH}>Clear</Link>}
          </div>
        </FilterForm>
      </div>

      {filters.kind === "invalid" ? (
        <p role="alert" className="card bad">
          Some filters are not valid; correct the fields marked above.
        </p>
      ) : (
        <Suspense key={`rows:${view}`} fallback={<RowsSkeleton />}>
          <MemoryResults filters={filters} actor={actor} audit={{ ...audit, requestParams: values }} narrowed={narrowed} moreHref={moreHref} />
        </Suspense>
      )}
    </main>
  );
}
