using System.Collections.Concurrent;
using System.Diagnostics;
using Kiln.Inference.Serving;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Serving;

/// <summary>
/// Requests lease and use the served model on several threads while another thread swaps in new
/// models. The fake runtime throws when used after disposal and counts a disposal that overlaps a
/// call, so a lease that ever sees a disposed model fails the test. The race it looks for (a model
/// read from the table, then released by a swap before the lease acquires it) is a few instructions
/// wide, so the swapper keeps going until many swaps and leases have interleaved, or until the first
/// error; the stopwatch only guards against a hang.
/// </summary>
public class DeploymentTableConcurrencyTests
{
    private const int Readers = 4;
    private const int MinimumSwaps = 200_000;
    private const int MinimumLeases = 500_000;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public void TryLease_WhileModelsAreSwappedManyTimes_NeverSeesADisposedRuntime()
    {
        var table = new DeploymentTable();
        var runtimes = new ConcurrentQueue<FakeRuntime>();
        var errors = new ConcurrentQueue<string>();
        var leases = 0L;
        var stop = 0;

        var (first, firstRuntime) = DeploymentTableTests.NewModel(0);
        runtimes.Enqueue(firstRuntime);
        table.Swap(new ServedDeployment(DeploymentTableTests.Record("bank", 0), first));

        using var start = new Barrier(Readers + 1);
        var readers = Enumerable.Range(0, Readers).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            while (Volatile.Read(ref stop) == 0)
            {
                try
                {
                    if (!table.TryLease("bank", out var lease))
                    {
                        errors.Enqueue("TryLease returned false while the name was always served.");
                        continue;
                    }

                    using (lease)
                    {
                        if (lease.Model.IsDisposed)
                        {
                            errors.Enqueue($"Leased model {lease.Model.Version} was already disposed.");
                        }

                        lease.Model.Runtime.Predict(FakeRuntime.Batch, null);
                        if (lease.Deployment.Primary.ModelVersion != lease.Model.Version)
                        {
                            errors.Enqueue($"Lease paired record {lease.Deployment.Primary.ModelVersion} with model {lease.Model.Version}.");
                        }
                    }

                    Interlocked.Increment(ref leases);
                }
                catch (Exception e)
                {
                    errors.Enqueue(e.GetType().Name + ": " + e.Message);
                }
            }
        })).ToArray();
        foreach (var reader in readers)
        {
            reader.Start();
        }

        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        var swaps = 0;
        while ((swaps < MinimumSwaps || Interlocked.Read(ref leases) < MinimumLeases) && errors.IsEmpty && clock.Elapsed < Guard)
        {
            swaps++;
            var (model, runtime) = DeploymentTableTests.NewModel(swaps);
            runtimes.Enqueue(runtime);
            table.Swap(new ServedDeployment(DeploymentTableTests.Record("bank", swaps), model));
        }

        Volatile.Write(ref stop, 1);
        foreach (var reader in readers)
        {
            reader.Join();
        }

        Assert.Empty(errors);
        Assert.True(swaps >= MinimumSwaps && Interlocked.Read(ref leases) >= MinimumLeases, $"only {swaps} swaps and {leases} leases in {Guard}");
        var all = runtimes.ToArray();
        Assert.Equal(swaps + 1, all.Length);
        Assert.All(all[..^1], r => Assert.Equal(1, r.DisposeCount));
        Assert.All(all, r => Assert.Equal(0, r.DisposedWhileInUse));
        var current = all[^1];
        Assert.Equal(0, current.DisposeCount);
        Assert.True(table.TryGet("bank", out var served));
        Assert.Same(current, served.Model.Runtime);

        table.Remove("bank");
        Assert.Equal(1, current.DisposeCount);
    }
}
