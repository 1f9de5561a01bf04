using Kiln.Core.Deployments;
using Kiln.Inference.Serving;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Serving;

public class DeploymentTableTests
{
    internal static Deployment Record(string name, int version = 1, int revision = 1) => new()
    {
        Name = name,
        Variants = [new DeploymentVariant("primary", "bank", version, $"bank/{version}", 100, VariantRole.Primary)],
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Revision = revision,
    };

    internal static (LoadedModel Model, FakeRuntime Runtime) NewModel(int version = 1)
    {
        var runtime = new FakeRuntime();
        return (new LoadedModel("bank", version, runtime), runtime);
    }

    [Fact]
    public void TryLease_UnknownName_ReturnsFalse()
    {
        var table = new DeploymentTable();
        table.Swap(new ServedDeployment(Record("bank"), NewModel().Model));

        Assert.False(table.TryLease("other", out var lease));
        Assert.Null(lease.Model);
        lease.Dispose();
    }

    [Fact]
    public void TryLease_ServedName_LeasesItsModelAndRecord()
    {
        var table = new DeploymentTable();
        var record = Record("bank");
        var (model, runtime) = NewModel();
        table.Swap(new ServedDeployment(record, model));

        Assert.True(table.TryLease("bank", out var lease));
        using (lease)
        {
            Assert.Same(model, lease.Model);
            Assert.Same(record, lease.Deployment);
        }

        // The table still holds its own reference.
        Assert.False(model.IsDisposed);
        Assert.Equal(0, runtime.DisposeCount);
    }

    [Fact]
    public void Swap_WhileALeaseHoldsTheOldModel_DisposesItOnlyWhenTheLeaseEnds()
    {
        var table = new DeploymentTable();
        var (oldModel, oldRuntime) = NewModel(1);
        var (newModel, newRuntime) = NewModel(2);
        table.Swap(new ServedDeployment(Record("bank", 1), oldModel));
        Assert.True(table.TryLease("bank", out var inFlight));

        table.Swap(new ServedDeployment(Record("bank", 2, 2), newModel));

        Assert.Equal(0, oldRuntime.DisposeCount);
        inFlight.Model.Runtime.Predict(FakeRuntime.Batch, null);
        Assert.True(table.TryLease("bank", out var next));
        Assert.Same(newModel, next.Model);
        next.Dispose();

        inFlight.Dispose();
        Assert.Equal(1, oldRuntime.DisposeCount);
        Assert.Equal(0, newRuntime.DisposeCount);
    }

    [Fact]
    public void Swap_WithNoLeases_DisposesTheOldModelAtOnce()
    {
        var table = new DeploymentTable();
        var (oldModel, oldRuntime) = NewModel(1);
        table.Swap(new ServedDeployment(Record("bank", 1), oldModel));

        table.Swap(new ServedDeployment(Record("bank", 2), NewModel(2).Model));

        Assert.Equal(1, oldRuntime.DisposeCount);
        Assert.Single(table.Entries);
    }

    [Fact]
    public void Swap_SameModelWithANewRecord_KeepsTheModel()
    {
        var table = new DeploymentTable();
        var (model, runtime) = NewModel();
        table.Swap(new ServedDeployment(Record("bank", revision: 1), model));
        var updated = Record("bank", revision: 2);

        // The manager takes a reference for the new revision before the swap gives back the old one's.
        Assert.True(model.TryAcquire());
        table.Swap(new ServedDeployment(updated, model));

        Assert.Equal(0, runtime.DisposeCount);
        Assert.True(table.TryLease("bank", out var lease));
        Assert.Same(updated, lease.Deployment);
        lease.Dispose();
        Assert.Equal(0, runtime.DisposeCount);
    }

    [Fact]
    public void Swap_AnotherName_LeavesTheFirstServed()
    {
        var table = new DeploymentTable();
        var (first, firstRuntime) = NewModel();
        table.Swap(new ServedDeployment(Record("bank"), first));

        table.Swap(new ServedDeployment(Record("churn"), NewModel().Model));

        Assert.Equal(2, table.Entries.Count);
        Assert.Equal(0, firstRuntime.DisposeCount);
        Assert.True(table.TryGet("bank", out var served));
        Assert.Same(first, served.Model);
    }

    [Fact]
    public void Remove_ServedName_StopsServingAndDisposesAfterTheLastLease()
    {
        var table = new DeploymentTable();
        var (model, runtime) = NewModel();
        table.Swap(new ServedDeployment(Record("bank"), model));
        Assert.True(table.TryLease("bank", out var inFlight));

        Assert.True(table.Remove("bank"));

        Assert.False(table.TryLease("bank", out _));
        Assert.Equal(0, runtime.DisposeCount);
        inFlight.Dispose();
        Assert.Equal(1, runtime.DisposeCount);
        Assert.False(table.Remove("bank"));
    }
}
