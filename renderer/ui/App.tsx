/**
 * The web client's UI: the sign-in form when signed out; otherwise the top
 * bar, notices, the Contacts / History / Settings tabs, and the call area
 * (beside the tabs on wide windows, above them on narrow ones).
 */
import type { ReactNode } from 'react';
import { useApp } from '../app/context.js';
import { useCall } from '../state/call.js';
import { useSession } from '../state/session.js';
import { CallStage } from './CallStage.js';
import { ContactList } from './ContactList.js';
import { Header } from './Header.js';
import { History } from './History.js';
import { Notices } from './Notices.js';
import { Settings } from './Settings.js';
import { SignIn } from './SignIn.js';
import { useView, type TabId } from '../state/view.js';
import { panelId, tabId, Tabs } from './Tabs.js';

/**
 * The layout follows whether a call is on. Its parts come in as children, so a call starting or ending
 * redraws this one element, not the contact list beside it: the ringing call is drawn sooner.
 */
function Layout({ children }: { children: ReactNode }) {
  const inCall = useCall((s) => s.call !== null);
  return <div className={`layout ${inCall ? 'layout-call' : 'layout-idle'}`}>{children}</div>;
}

function SignedIn() {
  const app = useApp();
  const tab = useView((s) => s.tab);
  const select = (next: TabId) => app.view.open(next);

  return (
    <div className="app">
      <Header />
      <Notices />
      <Layout>
        <main className="stage">
          <CallStage />
        </main>
        <aside className="sidebar card">
          <Tabs current={tab} onSelect={select} />
          <div role="tabpanel" id={panelId(tab)} aria-labelledby={tabId(tab)} className="panel">
            {tab === 'contacts' && <ContactList />}
            {tab === 'history' && <History />}
            {tab === 'settings' && <Settings />}
          </div>
        </aside>
      </Layout>
    </div>
  );
}

export function App() {
  const phase = useSession((s) => s.phase);
  return phase === 'signed-in' ? <SignedIn /> : <SignIn />;
}
