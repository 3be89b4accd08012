/** An SVG arrowhead for the diagrams' edges; its class colours it. */
export function ArrowMarker({ id, className }: { id: string; className: string }) {
  return (
    <marker
      id={id}
      className={className}
      viewBox="0 0 10 10"
      refX="9"
      refY="5"
      markerWidth="7"
      markerHeight="7"
      orient="auto-start-reverse"
    >
      <path d="M 0 0 L 10 5 L 0 10 z" />
    </marker>
  );
}
