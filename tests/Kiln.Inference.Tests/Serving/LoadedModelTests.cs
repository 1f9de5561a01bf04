using Kiln.Inference.Serving;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Serving;

public class LoadedModelTests
{
    [Fact]
    public void New_HeldByItsCreator_IsNotDisposedAndHasALayout()
    {
        var runtime = new FakeRuntime();

        var model = new LoadedModel("bank", 3, runtime);

        Assert.False(model.IsDisposed);
        Assert.Equal(0, runtime.DisposeCount);
        Assert.Equal(("bank", 3), (model.ModelName, model.Version));
        Assert.Same(runtime, model.Runtime);
        Assert.Equal("x", Assert.Single(model.Layout.Inputs).Spec.Name);
    }

    [Fact]
    public void Release_TheOnlyReference_DisposesTheRuntimeOnce()
    {
        var runtime = new FakeRuntime();
        var model = new LoadedModel("bank", 1, runtime);

        model.Release();

        Assert.True(model.IsDisposed);
        Assert.Equal(1, runtime.DisposeCount);
    }

    [Fact]
    public void Release_WhileAnotherReferenceIsHeld_DisposesOnlyAfterTheLast()
    {
        var runtime = new FakeRuntime();
        var model = new LoadedModel("bank", 1, runtime);
        Assert.True(model.TryAcquire());
        Assert.True(model.TryAcquire());

        model.Release();
        model.Release();
        Assert.False(model.IsDisposed);
        Assert.Equal(0, runtime.DisposeCount);
        model.Runtime.Predict(FakeRuntime.Batch, null);

        model.Release();
        Assert.True(model.IsDisposed);
        Assert.Equal(1, runtime.DisposeCount);
    }

    [Fact]
    public void TryAcquire_AfterDisposal_ReturnsFalseAndNeverRevives()
    {
        var runtime = new FakeRuntime();
        var model = new LoadedModel("bank", 1, runtime);
        model.Release();

        Assert.False(model.TryAcquire());
        Assert.False(model.TryAcquire());
        Assert.True(model.IsDisposed);
        Assert.Equal(1, runtime.DisposeCount);
        Assert.Throws<ObjectDisposedException>(() => model.Runtime.Predict(FakeRuntime.Batch, null));
    }

    [Fact]
    public void TryAcquireAndRelease_FromManyThreads_DisposeExactlyOnceAtTheEnd()
    {
        var runtime = new FakeRuntime();
        var model = new LoadedModel("bank", 1, runtime);

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                Assert.True(model.TryAcquire());
                model.Release();
            }
        });

        Assert.Equal(0, runtime.DisposeCount);
        model.Release();
        Assert.Equal(1, runtime.DisposeCount);
    }
}
