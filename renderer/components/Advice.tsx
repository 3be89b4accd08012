/** What an event, error or exit means and what to do about it (the advice tables in views/advice.ts). */
export function Advice({ means, todo }: { means?: string | undefined; todo?: string | undefined }) {
  if (!means) return null;
  return (
    <div className="advice">
      <p>
        <b>Means</b> {means}
      </p>
      {todo ? (
        <p>
          <b>What to do</b> {todo}
        </p>
      ) : null}
    </div>
  );
}
