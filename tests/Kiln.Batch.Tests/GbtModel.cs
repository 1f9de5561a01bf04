using Kiln.Core.Tensors;
using Kiln.Inference.Onnx;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;

namespace Kiln.Batch.Tests;

/// <summary>
/// The scikit-learn GradientBoosting test model (7 bank columns, exported to ONNX by tools/onnx/make_test_models.py),
/// imported with its feature names as a registration would and loaded by the ONNX flavor's factory: the compiled tree
/// engine, with ONNX Runtime as its reference.
/// </summary>
internal static class GbtModel
{
    public static readonly string[] Features = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"];

    public static IModelRuntime Load()
    {
        var directory = Directory.CreateTempSubdirectory("kiln-batch-model").FullName;
        try
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "models", "gbt_sklearn.onnx"), Path.Combine(directory, "gbt_sklearn.onnx"));
            var manifest = ModelPackageImporter.Import(directory, new ImportOptions(Features)).Manifest;
            return new OnnxRuntimeFactory().Load(manifest, path => new MemoryStream(File.ReadAllBytes(Path.Combine(directory, path))));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The model's probability of class 1 for each row, scored in one call.</summary>
    public static float[] Probabilities(IModelRuntime runtime, IReadOnlyList<float[]> rows)
    {
        var values = rows.SelectMany(r => r).ToArray();
        var batch = new InferenceBatch([new Tensor("float_input", TensorDataType.Fp32, [rows.Count, Features.Length], values, values.Length)], rows.Count);
        var probabilities = runtime.Predict(batch, null).Outputs.Single(o => o.Name == "output_probability");
        var data = (float[])probabilities.Data;
        return Enumerable.Range(0, rows.Count).Select(r => data[(2 * r) + 1]).ToArray();
    }
}
