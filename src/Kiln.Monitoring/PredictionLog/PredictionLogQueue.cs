using System.Threading.Channels;
using Kiln.Core.Monitoring;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>
/// The bounded hand-off between the serving path and the log writer. Enqueueing never blocks and
/// never allocates beyond the record: when the rows waiting would exceed the capacity, the record
/// is dropped and counted instead, so a slow disk can cost log completeness (visibly) but never latency.
/// </summary>
public sealed class PredictionLogQueue
{
    private readonly Channel<PredictionRecord> _channel = Channel.CreateUnbounded<PredictionRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _order = new();
    private long _queuedRows;
    private long _enqueued;
    private long _acceptedRows;
    private long _droppedRows;
    private long _droppedRequests;

    /// <summary>Creates a queue holding at most <paramref name="capacityRows"/> rows.</summary>
    public PredictionLogQueue(long capacityRows) => CapacityRows = capacityRows;

    /// <summary>The most rows that may wait.</summary>
    public long CapacityRows { get; }

    /// <summary>Rows waiting for the writer.</summary>
    public long QueuedRows => Interlocked.Read(ref _queuedRows);

    /// <summary>Records accepted since start (the writer's flush target).</summary>
    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Rows queued since start (dropped ones not included).</summary>
    public long AcceptedRows => Interlocked.Read(ref _acceptedRows);

    /// <summary>Rows dropped because the queue was full.</summary>
    public long DroppedRows => Interlocked.Read(ref _droppedRows);

    /// <summary>Requests whose rows were dropped because the queue was full.</summary>
    public long DroppedRequests => Interlocked.Read(ref _droppedRequests);

    internal ChannelReader<PredictionRecord> Reader => _channel.Reader;

    /// <summary>Whether a request should be logged at <paramref name="sampleRate"/> (0–1).</summary>
    public static bool Sample(double sampleRate) => sampleRate >= 1 || (sampleRate > 0 && Random.Shared.NextDouble() < sampleRate);

    /// <summary>Hands a record to the writer; false (and counted) when the queue is full or closed.</summary>
    public bool TryEnqueue(PredictionRecord record)
    {
        var rows = record.Rows;
        if (Interlocked.Add(ref _queuedRows, rows) > CapacityRows)
        {
            Interlocked.Add(ref _queuedRows, -rows);
            Drop(rows);
            return false;
        }

        // The count and the channel move together, so "everything enqueued before now" is a prefix of the channel.
        lock (_order)
        {
            if (!_channel.Writer.TryWrite(record))
            {
                Interlocked.Add(ref _queuedRows, -rows);
                Drop(rows);
                return false;
            }

            _enqueued++;
            Interlocked.Add(ref _acceptedRows, rows);
        }

        return true;
    }

    /// <summary>Stops accepting records; the writer drains what is queued and ends.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    internal void Dequeued(int rows) => Interlocked.Add(ref _queuedRows, -rows);

    private void Drop(int rows)
    {
        Interlocked.Add(ref _droppedRows, rows);
        Interlocked.Increment(ref _droppedRequests);
    }
}
