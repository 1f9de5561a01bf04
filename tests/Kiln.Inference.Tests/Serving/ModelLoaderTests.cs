using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Inference.Decoding;
using Kiln.Inference.Onnx;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;
using Kiln.Inference.Serving;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Serving;

public class ModelLoaderTests
{
    private static ModelVersion Version(ModelManifest manifest) => new()
    {
        ModelName = "bank",
        Version = 4,
        CreatedAt = DateTimeOffset.UnixEpoch,
        Manifest = manifest,
    };

    /// <summary>Imports a generated model and stores its files, as registration does.</summary>
    private static (ModelVersion Version, MemoryArtifactStore Store) Register(string model)
    {
        using var directory = new TempDirectory().WithModel(model);
        var package = ModelPackageImporter.Import(directory.Path, new ImportOptions());
        var store = new MemoryArtifactStore();
        var files = package.Files.Select(f => store.Add(f, File.ReadAllBytes(Path.Combine(directory.Path, f)))).ToArray();
        return (Version(package.Manifest with { Files = files }), store);
    }

    [Fact]
    public void Load_RegisteredOnnxVersion_ServesTheGoldenCase()
    {
        var (version, store) = Register("regressor.onnx");
        var loader = new ModelLoader(store, [new OnnxRuntimeFactory()]);

        var model = loader.Load(version);
        try
        {
            Assert.Equal(("bank", 4), (model.ModelName, model.Version));
            Assert.False(model.IsDisposed);
            var c = ExpectedCases.Get("regressor", "batch");
            var result = model.Runtime.Predict(V2RequestDecoder.Decode(CaseRequests.V2Tensors(c, model.Layout), model.Layout).Batch, null);
            ScoreAssert.MatchesExpected(c, model.Runtime.Signature, result);
        }
        finally
        {
            model.Release();
        }

        Assert.True(model.IsDisposed);
    }

    [Fact]
    public void Load_WithAnInputExample_WarmsTheModelOnIt()
    {
        var runtime = new FakeRuntime();
        var loader = new ModelLoader(new MemoryArtifactStore(), [new FakeFactory(runtime)]);

        var model = loader.Load(Version(FakeManifest()));

        Assert.Equal(1, runtime.Predictions);
        Assert.False(model.IsDisposed);
    }

    [Fact]
    public void Load_WhenWarmingFails_DisposesTheRuntimeAndThrows()
    {
        var runtime = new FakeRuntime { FailWith = KilnException.Invalid("inputs", "cannot score.") };
        var loader = new ModelLoader(new MemoryArtifactStore(), [new FakeFactory(runtime)]);

        Assert.Throws<KilnException>(() => loader.Load(Version(FakeManifest())));

        Assert.Equal(1, runtime.DisposeCount);
    }

    [Fact]
    public void Load_FlavorNoFactoryLoads_IsConflict()
    {
        var loader = new ModelLoader(new MemoryArtifactStore(), [new OnnxRuntimeFactory()]);

        var e = Assert.Throws<KilnException>(() => loader.Load(Version(FakeManifest() with { Flavor = "sklearn" })));

        Assert.Equal(KilnErrorKind.Conflict, e.Kind);
        Assert.Contains("'sklearn'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ManifestWithoutTheModelFile_IsConflict()
    {
        var (version, store) = Register("regressor.onnx");
        var loader = new ModelLoader(store, [new OnnxRuntimeFactory()]);

        var e = Assert.Throws<KilnException>(() => loader.Load(version with { Manifest = version.Manifest with { Files = [] } }));

        Assert.Equal(KilnErrorKind.Conflict, e.Kind);
        Assert.Contains("'regressor.onnx'", e.Message, StringComparison.Ordinal);
    }

    private static ModelManifest FakeManifest()
    {
        var runtime = new FakeRuntime();
        using var example = JsonDocument.Parse("""{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[0]}]}""");
        return new ModelManifest
        {
            Flavor = "fake",
            ModelFile = "model.bin",
            Signature = runtime.Signature,
            InputExample = example.RootElement.Clone(),
        };
    }

    private sealed class FakeFactory(FakeRuntime runtime) : IModelRuntimeFactory
    {
        public string Flavor => "fake";

        public IModelRuntime Load(ModelManifest manifest, Func<string, Stream> openFile) => runtime;
    }
}
