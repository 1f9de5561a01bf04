using Kiln.Core.Deployments;
using Kiln.Core.Tensors;
using Kiln.Inference.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Inference.Tests.Batching;

/// <summary>
/// Requests coalesce into model calls and come back split exactly; a cancelled or failing caller affects no one else.
/// Most tests turn eager calls off (every batch waits for its delay or its row limit, as Triton does) to see batches
/// form on a fake clock; the eager tests show a request going at once while a worker is idle, and gathering while none is.
/// </summary>
public sealed class DynamicBatcherTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(2);
    private readonly FakeTimeProvider _time = new();
    private readonly DoublingRuntime _model = new();

    [Fact]
    public async Task Predict_RequestsWithinTheDelay_ShareOneModelCallAndEachGetsItsOwnRowsInOrder()
    {
        var batcher = Batcher(maxRows: 100);

        var first = batcher.PredictAsync(DoublingRuntime.Rows(1), null, default);
        var second = batcher.PredictAsync(DoublingRuntime.Rows(2, 3), null, default);
        var third = batcher.PredictAsync(DoublingRuntime.Rows(4, 5, 6), null, default);
        Assert.False(first.IsCompleted || second.IsCompleted || third.IsCompleted);
        _time.Advance(Delay);

        AssertRows(await first, 1);
        AssertRows(await second, 2, 3);
        AssertRows(await third, 4, 5, 6);
        Assert.Equal([1f, 2, 3, 4, 5, 6], Assert.Single(_model.Calls));
        Assert.Equal((1, 3, 6), (batcher.Batches, batcher.Requests, batcher.Rows));
    }

    [Fact]
    public async Task Predict_BatchReachesTheRowLimit_GoesWithoutWaitingForTheDelay()
    {
        var batcher = Batcher(maxRows: 4);

        var first = batcher.PredictAsync(DoublingRuntime.Rows(1, 2), null, default);
        var second = batcher.PredictAsync(DoublingRuntime.Rows(3, 4), null, default);

        AssertRows(await second, 3, 4);
        AssertRows(await first, 1, 2);
        Assert.Equal([1f, 2, 3, 4], Assert.Single(_model.Calls));
    }

    [Fact]
    public async Task Predict_RequestThatWouldOverflowTheBatch_SendsTheWaitingBatchAndStartsTheNext()
    {
        var batcher = Batcher(maxRows: 4);

        var first = batcher.PredictAsync(DoublingRuntime.Rows(1, 2, 3), null, default);
        var second = batcher.PredictAsync(DoublingRuntime.Rows(4, 5), null, default);

        AssertRows(await first, 1, 2, 3);
        Assert.False(second.IsCompleted);
        _time.Advance(Delay);
        AssertRows(await second, 4, 5);
        Assert.Equal([[1f, 2, 3], [4f, 5]], _model.Calls);
    }

    [Fact]
    public async Task Predict_RequestAsLargeAsTheLimit_IsScoredAloneAtOnce()
    {
        var batcher = Batcher(maxRows: 2);

        var waiting = batcher.PredictAsync(DoublingRuntime.Rows(1), null, default);
        var large = batcher.PredictAsync(DoublingRuntime.Rows(7, 8, 9), null, default);

        Assert.True(large.IsCompletedSuccessfully);
        AssertRows(await large, 7, 8, 9);
        Assert.False(waiting.IsCompleted);
        _time.Advance(Delay);
        AssertRows(await waiting, 1);
    }

    [Fact]
    public async Task Predict_LoneRequest_WaitsNoLongerThanTheDelay()
    {
        var batcher = Batcher(maxRows: 100);

        var lone = batcher.PredictAsync(DoublingRuntime.Rows(1), null, default);
        _time.Advance(Delay - TimeSpan.FromMilliseconds(1));
        Assert.False(lone.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        AssertRows(await lone.AsTask().WaitAsync(TimeSpan.FromSeconds(10)), 1);
        Assert.Single(_model.Calls);
    }

    [Fact]
    public async Task Predict_OneCallerStopsWaiting_ItIsCancelledAndLeftOutWhileTheOthersAreAnswered()
    {
        var batcher = Batcher(maxRows: 100);
        using var gone = new CancellationTokenSource();

        var first = batcher.PredictAsync(DoublingRuntime.Rows(1), null, default);
        var cancelled = batcher.PredictAsync(DoublingRuntime.Rows(2), null, gone.Token);
        var third = batcher.PredictAsync(DoublingRuntime.Rows(3), null, default);
        await gone.CancelAsync();
        _time.Advance(Delay);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
        AssertRows(await first, 1);
        AssertRows(await third, 3);
        Assert.Equal([1f, 3], Assert.Single(_model.Calls));
    }

    [Fact]
    public async Task Predict_CallerAlreadyCancelled_IsRefusedWithoutWaiting()
    {
        var batcher = Batcher(maxRows: 100);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await batcher.PredictAsync(DoublingRuntime.Rows(1), null, new CancellationToken(canceled: true)));
        Assert.Empty(_model.Calls);
    }

    [Fact]
    public async Task Predict_RowTheModelRefuses_FailsOnlyItsOwnCaller()
    {
        var batcher = Batcher(maxRows: 100);

        var first = batcher.PredictAsync(DoublingRuntime.Rows(1, 2), null, default);
        var bad = batcher.PredictAsync(DoublingRuntime.Rows(3, -4), null, default);
        var third = batcher.PredictAsync(DoublingRuntime.Rows(5), null, default);
        _time.Advance(Delay);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await bad);
        Assert.Equal("negative input -4", error.Message);
        AssertRows(await first, 1, 2);
        AssertRows(await third, 5);
        Assert.Equal([[1f, 2, 3, -4, 5], [1f, 2], [3f, -4], [5f]], _model.Calls);
    }

    [Fact]
    public async Task Predict_CallersAskingForDifferentOutputs_AreNotMixedInOneCall()
    {
        var batcher = Batcher(maxRows: 100);

        var all = batcher.PredictAsync(DoublingRuntime.Rows(1), null, default);
        var onlyZ = batcher.PredictAsync(DoublingRuntime.Rows(2), ["z"], default);
        var alsoZ = batcher.PredictAsync(DoublingRuntime.Rows(3), ["z"], default);
        _time.Advance(Delay);

        AssertRows(await all, 1);
        Assert.Equal(new[] { 2.5f }, (float[])Assert.Single((await onlyZ).Outputs).Data);
        Assert.Equal(new[] { 3.5f }, (float[])Assert.Single((await alsoZ).Outputs).Data);
        Assert.Equal([[1f], [2f, 3]], _model.Calls);
    }

    [Fact]
    public async Task Predict_ModelWhoseOutputsAreNotOnePerRow_ScoresEveryRequestAloneFromThenOn()
    {
        var model = new DoublingRuntime { Aggregates = true };
        var batcher = new DynamicBatcher(model, new BatchingPolicy(100, (int)Delay.TotalMicroseconds), _time, eagerCalls: 0);

        var first = batcher.PredictAsync(DoublingRuntime.Rows(1, 2), null, default);
        var second = batcher.PredictAsync(DoublingRuntime.Rows(3), null, default);
        _time.Advance(Delay);
        var later = batcher.PredictAsync(DoublingRuntime.Rows(4), null, default);

        Assert.Equal(new[] { 3f }, (float[])(await first).Outputs[0].Data);
        Assert.Equal(new[] { 3f }, (float[])(await second).Outputs[0].Data);
        Assert.True(later.IsCompletedSuccessfully);
        Assert.Equal([[1f, 2, 3], [1f, 2], [3f], [4f]], model.Calls);
    }

    [Fact]
    public async Task Predict_WorkerIdle_GoesAtOnceWithoutWaitingForTheDelay()
    {
        var batcher = new DynamicBatcher(_model, new BatchingPolicy(100, 1_000_000), _time, eagerCalls: 1);

        var first = batcher.PredictAsync(DoublingRuntime.Rows(1), null, default);
        var second = batcher.PredictAsync(DoublingRuntime.Rows(2), null, default);

        Assert.True(first.IsCompletedSuccessfully && second.IsCompletedSuccessfully);
        AssertRows(await first, 1);
        AssertRows(await second, 2);
        Assert.Equal([[1f], [2f]], _model.Calls);
    }

    [Fact]
    public async Task Predict_EveryWorkerBusy_RequestsGatherAndGoTogetherWhenOneFrees()
    {
        using var hold = new ManualResetEventSlim();
        var model = new DoublingRuntime { Hold = hold };
        var batcher = new DynamicBatcher(model, new BatchingPolicy(100, 1_000_000), _time, eagerCalls: 1);

        var busy = Task.Run(async () => await batcher.PredictAsync(DoublingRuntime.Rows(1), null, default));
        Assert.True(await model.Started.WaitAsync(TimeSpan.FromSeconds(30)));
        var waiting = new[] { batcher.PredictAsync(DoublingRuntime.Rows(2), null, default), batcher.PredictAsync(DoublingRuntime.Rows(3, 4), null, default) };
        Assert.DoesNotContain(waiting, w => w.IsCompleted);
        hold.Set();

        AssertRows(await busy.WaitAsync(TimeSpan.FromSeconds(30)), 1);
        AssertRows(await waiting[0].AsTask().WaitAsync(TimeSpan.FromSeconds(30)), 2);
        AssertRows(await waiting[1].AsTask().WaitAsync(TimeSpan.FromSeconds(30)), 3, 4);
        Assert.Equal([[1f], [2f, 3, 4]], model.Calls);
    }

    [Fact]
    public async Task Predict_EveryWorkerBusyPastTheDelay_TheWaitingBatchGoesAnyway()
    {
        using var hold = new ManualResetEventSlim();
        var model = new DoublingRuntime { Hold = hold };
        var batcher = new DynamicBatcher(model, new BatchingPolicy(100, (int)Delay.TotalMicroseconds), _time, eagerCalls: 1);

        var busy = Task.Run(async () => await batcher.PredictAsync(DoublingRuntime.Rows(1), null, default));
        Assert.True(await model.Started.WaitAsync(TimeSpan.FromSeconds(30)));
        var waiting = batcher.PredictAsync(DoublingRuntime.Rows(2), null, default);
        var late = Task.Run(() => _time.Advance(Delay));
        Assert.True(await model.Started.WaitAsync(TimeSpan.FromSeconds(30)));
        hold.Set();

        AssertRows(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(30)), 2);
        AssertRows(await busy.WaitAsync(TimeSpan.FromSeconds(30)), 1);
        await late;
        Assert.Equal([[1f], [2f]], model.Calls);
    }

    [Fact]
    public async Task Predict_ManyConcurrentCallersOnASlowModel_GatherWhileItWorksAndEachGetsItsOwnRows()
    {
        var model = new DoublingRuntime { Work = TimeSpan.FromMilliseconds(1) };
        var batcher = new DynamicBatcher(model, new BatchingPolicy(32, 50_000), TimeProvider.System, eagerCalls: 1);

        await CallConcurrentlyAsync(batcher, callers: 16, requestsEach: 50);

        Assert.Equal(16 * 50, batcher.Requests);
        Assert.Equal(model.Calls.Count, batcher.Batches);
        Assert.True(batcher.Batches < batcher.Requests / 2, $"{batcher.Batches} model calls for {batcher.Requests} requests");
    }

    [Fact]
    public async Task Predict_ManyConcurrentCallersOnTheRealClock_EachGetsExactlyItsOwnRows()
    {
        var model = new DoublingRuntime();
        var batcher = new DynamicBatcher(model, new BatchingPolicy(32, 200), TimeProvider.System, eagerCalls: 0);

        await CallConcurrentlyAsync(batcher, callers: 16, requestsEach: 200);

        Assert.Equal(16 * 200, batcher.Requests);
        Assert.Equal(model.Calls.Count, batcher.Batches);
        Assert.True(batcher.Batches < batcher.Requests, $"{batcher.Batches} model calls for {batcher.Requests} requests: nothing was batched");
    }

    /// <summary>Each caller sends its requests one after another, all callers at once; every request has rows no other has.</summary>
    private static async Task CallConcurrentlyAsync(DynamicBatcher batcher, int callers, int requestsEach)
    {
        var running = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < requestsEach; i++)
            {
                var rows = Enumerable.Range(0, 1 + ((caller + i) % 5)).Select(r => (float)((caller * 100_000) + (i * 10) + r)).ToArray();
                AssertRows(await batcher.PredictAsync(DoublingRuntime.Rows(rows), null, default), rows);
            }
        })).ToArray();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(60));
    }

    private DynamicBatcher Batcher(int maxRows) => new(_model, new BatchingPolicy(maxRows, (int)Delay.TotalMicroseconds), _time, eagerCalls: 0);

    private static void AssertRows(InferenceResult result, params float[] inputs)
    {
        Assert.Equal(2, result.Outputs.Count);
        var y = result.Outputs[0];
        Assert.Equal([inputs.Length, 1L], y.Shape);
        Assert.Equal(["doubled"], y.Labels!);
        Assert.Equal(inputs.Select(a => a * 2), ((float[])y.Data).Take(y.Length));
        var z = result.Outputs[1];
        Assert.Equal([(long)inputs.Length], z.Shape);
        Assert.Equal(inputs.Select(a => a + 0.5f), ((float[])z.Data).Take(z.Length));
    }
}
