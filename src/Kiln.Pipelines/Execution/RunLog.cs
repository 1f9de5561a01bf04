using System.Collections.Concurrent;
using Kiln.Core.Pipelines;

namespace Kiln.Pipelines.Execution;

/// <summary>Log lines of one run, buffered from any thread and written to the store by the run's loop.</summary>
internal sealed class RunLog(string runId, TimeProvider time, int maxLinesPerAttempt)
{
    private readonly ConcurrentQueue<PipelineLogLine> _pending = new();
    private readonly ConcurrentDictionary<(string, int), int> _counts = new();

    public IStepLog For(string step, int attempt) => new StepLog(this, step, attempt);

    public void Write(string step, int attempt, string line)
    {
        var count = _counts.AddOrUpdate((step, attempt), 1, (_, n) => n + 1);
        if (count <= maxLinesPerAttempt)
        {
            _pending.Enqueue(new PipelineLogLine(0, runId, step, attempt, time.GetUtcNow(), line));
        }
        else if (count == maxLinesPerAttempt + 1)
        {
            _pending.Enqueue(new PipelineLogLine(0, runId, step, attempt, time.GetUtcNow(), $"(log truncated: only the first {maxLinesPerAttempt} lines of an attempt are kept)"));
        }
    }

    public List<PipelineLogLine> Drain()
    {
        var lines = new List<PipelineLogLine>();
        while (_pending.TryDequeue(out var line))
        {
            lines.Add(line);
        }

        return lines;
    }

    private sealed class StepLog(RunLog log, string step, int attempt) : IStepLog
    {
        public void Write(string line)
        {
            foreach (var part in line.Split('\n'))
            {
                log.Write(step, attempt, part.TrimEnd('\r'));
            }
        }
    }
}
