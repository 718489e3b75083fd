/**
 * The shell: header with navigation and the wallet, the page for the current path, a footer.
 * The Admin link appears only for accounts holding a role on the AuctionHouse.
 */
import { Component, type ErrorInfo, lazy, type ReactNode, Suspense } from "react";
import { ConnectButton } from "./components/ConnectButton.tsx";
import { Link } from "./components/Link.tsx";
import { Notice, Skeleton } from "./components/ui.tsx";
import { useRoles, useWallet } from "./hooks/data.ts";
import { matchRoute, usePath } from "./lib/router.ts";
import { LivePage } from "./pages/LivePage.tsx";
import { LotPage } from "./pages/LotPage.tsx";
import { useApp } from "./state.tsx";

// The live lot and lot pages are in the first load (what a viewer from the stream opens); the others
// are chunks of their own, fetched when visited.
const AccountPage = lazy(() => import("./pages/AccountPage.tsx").then((m) => ({ default: m.AccountPage })));
const AdminPage = lazy(() => import("./pages/AdminPage.tsx").then((m) => ({ default: m.AdminPage })));
const CampaignPage = lazy(() => import("./pages/CampaignPage.tsx").then((m) => ({ default: m.CampaignPage })));
const LogsPage = lazy(() => import("./pages/LogsPage.tsx").then((m) => ({ default: m.LogsPage })));
const CampaignsPage = lazy(() => import("./pages/CampaignPage.tsx").then((m) => ({ default: m.CampaignsPage })));

export function App() {
  const path = usePath();
  const route = matchRoute(path);
  const { config } = useApp();
  const wallet = useWallet();
  const roles = useRoles(wallet.address);
  const isStaff = Boolean(roles.data && (roles.data.admin || roles.data.auctioneer || roles.data.pauser));

  const nav = [
    { to: "/", label: "Live", active: route.page === "live" || route.page === "lot" },
    { to: "/campaigns", label: "Campaigns", active: route.page === "campaigns" || route.page === "campaign" },
    { to: "/account", label: "Account", active: route.page === "account" },
    ...(isStaff ? [{ to: "/admin", label: "Admin", active: route.page === "admin" || route.page === "logs" }] : []),
  ];

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand" aria-label="SothebAIs home">
            <span className="brand-mark" aria-hidden="true">S</span>
            <span className="brand-name">
              Sotheb<em>AI</em>s
            </span>
          </Link>
          <nav aria-label="Main">
            {nav.map((n) => (
              <Link key={n.to} to={n.to} className={n.active ? "active" : undefined} aria-current={n.active ? "page" : undefined}>
                {n.label}
              </Link>
            ))}
          </nav>
          <ConnectButton />
        </div>
      </header>
      <main id="main" className="page">
        {config.deployment ? null : (
          <Notice words={{ title: "The auction contracts are not deployed on this network yet.", action: config.deploymentProblem ?? "Start the local stack with ./sothebais up." }} />
        )}
        <ErrorBoundary key={path}>
          <Suspense fallback={<Skeleton lines={6} />}>
          {route.page === "live" ? <LivePage /> : null}
          {route.page === "lot" ? <LotPage lotId={route.lotId} /> : null}
          {route.page === "campaigns" ? <CampaignsPage /> : null}
          {route.page === "campaign" ? <CampaignPage campaignId={route.campaignId} /> : null}
          {route.page === "account" ? <AccountPage /> : null}
          {route.page === "admin" ? <AdminPage roles={roles.data} rolesLoading={roles.isLoading} /> : null}
          {route.page === "logs" ? <LogsPage /> : null}
          {route.page === "notFound" ? <Notice words={{ title: "There is nothing at this address.", action: "Go back to the live lot." }} /> : null}
          </Suspense>
        </ErrorBoundary>
      </main>
      <footer className="site-footer">
        <span>
          SothebAIs · auctions settled on {config.chainId === 360 ? "Shape" : config.chainId === 11011 ? "Shape Sepolia" : `a local chain (${config.chainId})`}
        </span>
        {config.deployment ? <span className="mono muted">AuctionHouse {config.deployment.auctionHouse}</span> : null}
      </footer>
    </>
  );
}

/** A page that throws shows what happened instead of a blank screen; other pages keep working. */
class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("page crashed", error, info.componentStack);
  }
  render() {
    if (this.state.error)
      return (
        <Notice words={{ title: "This page hit an unexpected problem.", action: "Reload the page; your funds and bids are safe on chain." }}>
          <pre className="mono small">{this.state.error.message}</pre>
        </Notice>
      );
    return this.props.children;
  }
}
