import Link from "next/link";
import { RegisterForm } from "./register-form";
import "../dashboard/dashboard.css";

export const metadata = { title: "Register" };

export default function RegisterPage() {
  return (
    <main className="page narrow user-page">
      <h1>Create your Memoric account</h1>
      <RegisterForm />
      <p>
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </main>
  );
}
