using Kiln.Core.Packaging;
using Kiln.Inference.Trees.LightGbm;

namespace Kiln.Inference.Packaging;

/// <summary>
/// Imports a LightGBM model saved in LightGBM's text format (<c>booster.save_model("model.txt")</c>), alone or in an
/// MLflow model directory with the lightgbm flavor (<c>model.lgb</c>): read, compiled, run once on a synthesized
/// example, and described in the manifest (objective, format version, the compiled form).
/// </summary>
internal static class LightGbmPackageImporter
{
    /// <summary>The package's one file when it is a LightGBM text model (its first line is <c>tree</c>); else null.</summary>
    public static string? SingleModelFile(string directory, string[] files)
    {
        if (files.Length != 1)
        {
            return null;
        }

        using var reader = new StreamReader(Path.Combine(directory, files[0]));
        var head = new char[8];
        var read = reader.ReadBlock(head);
        return LightGbmRuntimeFactory.LooksLikeModel(new string(head, 0, read)) ? files[0] : null;
    }

    public static ImportedPackage Import(string directory, string modelFile, IReadOnlyList<string> files, ImportOptions options, MlflowModelFile? mlflow = null)
    {
        LightGbmModel model;
        using (var stream = File.OpenRead(Path.Combine(directory, modelFile)))
        {
            model = LightGbmRuntimeFactory.ReadModel(stream, modelFile);
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal) { ["lightgbm.objective"] = model.Objective.Name };
        if (model.Version is { } version)
        {
            facts["lightgbm.format"] = version;
        }

        return TreeModelPackage.Create(
            ModelFlavors.LightGbm, modelFile, files, options, mlflow, LightGbmRuntime.SignatureOf(model),
            signature => LightGbmRuntimeFactory.Compile(model, modelFile, signature), facts);
    }
}
