import Link from "next/link";
import { Suspense } from "react";
import { LoginForm } from "./login-form";

export const metadata = { title: "Sign in" };

export default function LoginPage() {
  return (
    <main className="page narrow">
      <h1>Sign in to Memoric</h1>
      <Suspense>
        <LoginForm />
      </Suspense>
      <p>
        New to Memoric? <Link href="/register">Create an account</Link>
      </p>
    </main>
  );
}
