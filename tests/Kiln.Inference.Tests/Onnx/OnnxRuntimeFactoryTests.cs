using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Onnx;
using Kiln.Inference.Packaging;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Onnx;

public class OnnxRuntimeFactoryTests
{
    private static ModelManifest Manifest(string model, ImportOptions? options = null)
    {
        using var directory = new TempDirectory().WithModel(model);
        return ModelPackageImporter.Import(directory.Path, options ?? new ImportOptions()).Manifest;
    }

    private static Stream Open(string path) => File.OpenRead(TestModels.PathOf(path));

    [Fact]
    public void Load_ImportedManifest_ServesTheManifestSignatureWithItsColumns()
    {
        var manifest = Manifest("gbt_sklearn.onnx", new ImportOptions(OnnxModelsFixture.GbtFeatureNames));

        using var runtime = new OnnxRuntimeFactory().Load(manifest, Open);

        Assert.Equal(OnnxModelsFixture.GbtFeatureNames, runtime.Signature.Inputs[0].Columns);
        Assert.Equal(ModelFlavors.Onnx, new OnnxRuntimeFactory().Flavor);
    }

    [Fact]
    public void Load_ManifestTypeDifferingFromTheGraph_IsInvalid()
    {
        var manifest = Manifest("regressor.onnx");
        var changed = manifest with
        {
            Signature = manifest.Signature with { Inputs = [manifest.Signature.Inputs[0] with { DataType = TensorDataType.Fp64 }] },
        };

        KilnAssert.Invalid(() => new OnnxRuntimeFactory().Load(changed, Open), "signature", "input 'X'");
    }

    [Fact]
    public void Load_ManifestNamingAnInputTheGraphLacks_IsInvalid()
    {
        var manifest = Manifest("regressor.onnx");
        var changed = manifest with
        {
            Signature = manifest.Signature with { Inputs = [manifest.Signature.Inputs[0] with { Name = "Y" }] },
        };

        KilnAssert.Invalid(() => new OnnxRuntimeFactory().Load(changed, Open), "signature", "input 'Y' is not an input of the ONNX graph");
    }

    [Fact]
    public void Load_CorruptModelFile_IsInvalidNamingTheFile()
    {
        var manifest = Manifest("regressor.onnx") with { ModelFile = "corrupt.onnx" };

        KilnAssert.Invalid(() => new OnnxRuntimeFactory().Load(manifest, Open), "corrupt.onnx", "is not a loadable ONNX model");
    }
}
