import type { SequencedTick } from "@cryptostream/core/contracts";
import { REPLAY_SPEEDS, REPLAY_WINDOWS_MINUTES } from "../replay";
import { time } from "./DetailChart";

export interface Playback {
  minutes: number;
  speed: number;
  playing: boolean;
  positionTs: number;
}

interface ReplayPanelProps {
  playback: Playback | undefined;
  onPlayback: (next: Playback | undefined) => void;
  windowTicks: readonly SequencedTick[];
  loading: boolean;
}

/** Starts a replay of a recent window, and plays, pauses, speeds, scrubs or leaves it. */
export function ReplayPanel({ playback, onPlayback, windowTicks, loading }: ReplayPanelProps) {
  if (playback === undefined) {
    return (
      <section className="replay" aria-label="Replay">
        <div className="replay-start">
          <span>Replay the last</span>
          {REPLAY_WINDOWS_MINUTES.map((minutes) => (
            <button key={minutes} type="button" onClick={() => onPlayback({ minutes, speed: 10, playing: true, positionTs: 0 })}>
              {minutes} min
            </button>
          ))}
        </div>
      </section>
    );
  }
  const firstTs = windowTicks[0]?.ts ?? 0;
  const lastTs = windowTicks[windowTicks.length - 1]?.ts ?? 0;
  const empty = windowTicks.length === 0;
  return (
    <section className="replay" aria-label="Replay">
      <div className="replay-controls">
        <button type="button" onClick={() => onPlayback({ ...playback, playing: !playback.playing })} disabled={empty}>
          {playback.playing ? "Pause" : "Play"}
        </button>
        {REPLAY_SPEEDS.map((speed) => (
          <button key={speed} type="button" aria-pressed={playback.speed === speed} onClick={() => onPlayback({ ...playback, speed })}>
            {speed}×
          </button>
        ))}
        <input
          type="range"
          aria-label="Replay position"
          min={firstTs}
          max={lastTs}
          step={1000}
          value={Math.max(firstTs, Math.min(playback.positionTs, lastTs))}
          onChange={(event) => onPlayback({ ...playback, positionTs: Number(event.target.value) })}
          disabled={empty}
        />
        <span className="replay-time" data-testid="replay-time">
          {loading ? "loading…" : empty ? "no ticks kept in this window" : time(Math.max(firstTs, playback.positionTs))}
        </span>
        <button type="button" onClick={() => onPlayback(undefined)}>
          Back to live
        </button>
      </div>
    </section>
  );
}
