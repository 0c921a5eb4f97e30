/**
 * A person's name and username as the UI shows them. The name is isolated (`<bdi>`), so right-to-left
 * letters in it cannot reorder the text next to it, and cleaned of invisible and bidi control
 * characters (personName). The username is what tells apart two people with the same name: it is shown
 * wherever a person decides whom they talk to.
 */
import type { UserSummary } from '../../signaling/protocol/index.js';
import { personName } from './words.js';

export function PersonName({ user, className = 'name' }: { user: UserSummary; className?: string }) {
  return (
    <bdi className={className} title={`${personName(user)} (@${user.username})`}>
      {personName(user)}
    </bdi>
  );
}

/** `@username`, with an id when a control should be described by it (aria-describedby). */
export function Handle({
  username,
  id,
  className = 'handle',
}: {
  username: string;
  id?: string;
  className?: string;
}) {
  return (
    <span className={className} id={id}>
      @{username}
    </span>
  );
}
