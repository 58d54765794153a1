// Parses the English output of ping from iputils 20221126 (Debian 12), which
// is built without NLS, so its messages are not translated.

export interface PingSummary {
  transmitted: number;
  received: number;
  lossPercent: number;
  errors: number;
  rttAvgMs?: number;
  unreachable: boolean;
}

// iputils prints ", +N duplicates", ", +N corrupted" and ", +N errors" between
// "received" and the loss field, each only when N is non-zero. It omits the
// loss and time fields when nothing was transmitted.
const STATISTICS_LINE = /^(\d+) packets transmitted, (\d+) received(.*)$/m;
const ERRORS_FIELD = /, \+(\d+) errors/;
const LOSS_FIELD = /, ([\d.]+)% packet loss/;

// iputils appends ", pipe N" to this line when more than one probe was in
// flight. It prints no rtt line when no reply arrived or when the payload is
// too small to carry a send timestamp.
const RTT_LINE = /^rtt min\/avg\/max\/mdev = [\d.]+\/([\d.]+)\/[\d.]+\/[\d.]+ ms/m;

const UNREACHABLE_LINE = /^From \S+ icmp_seq=\d+ Destination Host Unreachable/m;

/**
 * Extracts the packet counts, loss, average round-trip time and any
 * "Destination Host Unreachable" report from ping output.
 * Returns undefined when the output has no "packets transmitted" line,
 * for example when ping was killed before it printed its statistics.
 */
export function parsePing(output: string): PingSummary | undefined {
  const statistics = STATISTICS_LINE.exec(output);
  if (statistics === null) {
    return undefined;
  }

  const transmitted = Number(statistics[1]);
  const received = Number(statistics[2]);
  const optionalFields = statistics[3] ?? '';

  const errorsMatch = ERRORS_FIELD.exec(optionalFields);
  const errors = errorsMatch ? Number(errorsMatch[1]) : 0;

  // NOTE: with 0 packets transmitted iputils prints no loss field, and this
  // parser reports 0% loss for that case.
  const lossMatch = LOSS_FIELD.exec(optionalFields);
  const lossPercent = lossMatch ? Number(lossMatch[1]) : 0;

  const summary: PingSummary = {
    transmitted,
    received,
    lossPercent,
    errors,
    unreachable: UNREACHABLE_LINE.test(output),
  };

  const rtt = RTT_LINE.exec(output);
  if (rtt !== null) {
    summary.rttAvgMs = Number(rtt[1]);
  }

  return summary;
}
