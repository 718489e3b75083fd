import { describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { parseEther } from "viem";
import { BidForm, type BidFormProps } from "../src/components/BidForm.tsx";

const base: BidFormProps = { minimum: parseEther("0.05"), escrow: 0n, walletBalance: parseEther("10"), connected: true, onBid: () => {} };
const amountInput = () => screen.getByLabelText(/Your bid/) as HTMLInputElement;
const submit = () => screen.getByRole("button", { name: /Place bid|Connect wallet/ });

describe("BidForm", () => {
  it("prefills the minimum next bid and follows it while the bidder has not typed", () => {
    const { rerender } = render(<BidForm {...base} />);
    expect(amountInput().value).toBe("0.05");
    expect(screen.getByText("Minimum 0.05 ETH")).toBeTruthy();
    rerender(<BidForm {...base} minimum={parseEther("0.0525")} />);
    expect(amountInput().value).toBe("0.0525");
  });

  it("suggests the minimum rounded up to an amount people can say, never below it", () => {
    // 0.3362625 ETH plus 5% is 0.353075625 on chain: the form offers 0.354, as chat's !bid min does.
    const onBid = vi.fn();
    render(<BidForm {...base} minimum={parseEther("0.353075625")} onBid={onBid} />);
    expect(amountInput().value).toBe("0.354");
    expect(screen.getByRole("button", { name: "0.354 ETH" })).toBeTruthy();
    fireEvent.click(submit());
    expect(onBid).toHaveBeenCalledWith({ ok: true, amount: parseEther("0.354"), fromEscrow: 0n, fromWallet: parseEther("0.354") });
  });

  it("keeps what the bidder typed when the minimum moves, and says when it fell below", () => {
    const { rerender } = render(<BidForm {...base} />);
    fireEvent.change(amountInput(), { target: { value: "0.06" } });
    rerender(<BidForm {...base} minimum={parseEther("0.07")} />);
    expect(amountInput().value).toBe("0.06");
    expect(screen.getByRole("alert").textContent).toBe("The minimum bid is 0.07 ETH.");
    expect((submit() as HTMLButtonElement).disabled).toBe(true);
  });

  it("refuses more than 18 decimals and text that is not a number", () => {
    render(<BidForm {...base} />);
    fireEvent.change(amountInput(), { target: { value: "0.0500000000000000001" } });
    expect(screen.getByRole("alert").textContent).toBe("ETH has at most 18 decimal places.");
    fireEvent.change(amountInput(), { target: { value: "lots" } });
    expect(screen.getByRole("alert").textContent).toBe("Use digits and one decimal point, like 0.25.");
    expect(amountInput().getAttribute("aria-invalid")).toBe("true");
  });

  it("quick-bid buttons fill the amount", () => {
    render(<BidForm {...base} />);
    fireEvent.click(screen.getByRole("button", { name: "0.0625 ETH" }));
    expect(amountInput().value).toBe("0.0625");
    expect(submit().textContent).toBe("Place bid · 0.0625 ETH");
  });

  it("pays from escrow first when there is escrow, topping up from the wallet", () => {
    const onBid = vi.fn();
    render(<BidForm {...base} escrow={parseEther("0.03")} onBid={onBid} />);
    expect((screen.getByLabelText(/Escrow first/) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText("0.03 ETH from escrow + 0.02 ETH from your wallet")).toBeTruthy();
    fireEvent.click(submit());
    expect(onBid).toHaveBeenCalledWith({ ok: true, amount: parseEther("0.05"), fromEscrow: parseEther("0.03"), fromWallet: parseEther("0.02") });
  });

  it("pays everything from the wallet when the bidder chooses it", () => {
    const onBid = vi.fn();
    render(<BidForm {...base} escrow={parseEther("1")} onBid={onBid} />);
    fireEvent.click(screen.getByLabelText(/Wallet/));
    fireEvent.click(submit());
    expect(onBid).toHaveBeenCalledWith({ ok: true, amount: parseEther("0.05"), fromEscrow: 0n, fromWallet: parseEther("0.05") });
  });

  it("says when the wallet cannot pay", () => {
    render(<BidForm {...base} walletBalance={parseEther("0.01")} />);
    expect(screen.getByRole("alert").textContent).toBe("Your wallet is 0.04 ETH short. Deposit to escrow or bid less.");
  });

  it("asks to connect first and calls onConnect instead of bidding", () => {
    const onBid = vi.fn();
    const onConnect = vi.fn();
    render(<BidForm {...base} connected={false} onBid={onBid} onConnect={onConnect} />);
    expect(submit().textContent).toBe("Connect wallet to bid");
    fireEvent.click(submit());
    expect(onConnect).toHaveBeenCalledOnce();
    expect(onBid).not.toHaveBeenCalled();
  });

  it("disables bidding with the reason when the lot cannot take bids", () => {
    render(<BidForm {...base} disabledReason="Auctions are paused right now." />);
    expect(screen.getByText("Auctions are paused right now.")).toBeTruthy();
    expect((submit() as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole("group", { name: "Quick bids" })).toBeNull();
  });
});

describe("Countdown", () => {
  it("ticks every second and follows an extension of the end time", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-25T12:00:00Z"));
    const { Countdown } = await import("../src/components/Countdown.tsx");
    const now = Date.now() / 1000;
    const { rerender } = render(<Countdown startTime={now - 100} endTime={now + 61} />);
    expect(screen.getByTestId("countdown").textContent).toBe("1:01");
    act(() => void vi.advanceTimersByTime(2000));
    expect(screen.getByTestId("countdown").textContent).toBe("0:59");
    rerender(<Countdown startTime={now - 100} endTime={now + 92} extended />);
    expect(screen.getByTestId("countdown").textContent).toBe("1:30");
    expect(screen.getByText("extended")).toBeTruthy();
    act(() => void vi.advanceTimersByTime(91_000));
    expect(screen.getByTestId("countdown").textContent).toBe("Ended");
    vi.useRealTimers();
  });
});
