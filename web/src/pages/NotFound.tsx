import { useEffect } from "react";

export function NotFoundPage() {
  useEffect(() => {
    document.title = "Not found · labelhouse";
  }, []);
  return (
    <section className="page">
      <h1>Not found</h1>
      <p>There is nothing here, or you may not see it.</p>
    </section>
  );
}
