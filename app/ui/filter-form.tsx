"use client";

// A GET filter form whose URL names only the filters that are set (`?username=eve`, not a list of
// empty fields), so a copied link is short and readable. Without JavaScript it is a plain GET form.
import { useRouter } from "next/navigation";
import type { ComponentProps } from "react";

export function FilterForm({ action, ...props }: Omit<ComponentProps<"form">, "action" | "method" | "onSubmit"> & { action: string }) {
  const router = useRouter();
  return (
    <form
      {...props}
      method="get"
      action={action}
      onSubmit={(event) => {
        event.preventDefault();
        const query = new URLSearchParams();
        for (const [key, value] of new FormData(event.currentTarget)) {
          if (typeof value === "string" && value.trim() !== "") query.append(key, value);
        }
        const text = query.toString();
        router.push(text ? `${action}?${text}` : action);
      }}
    />
  );
}
