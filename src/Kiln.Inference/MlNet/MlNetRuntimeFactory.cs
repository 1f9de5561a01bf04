using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Inference.Runtime;
using Kiln.Inference.Trees.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Kiln.Inference.MlNet;

/// <summary>
/// Loads <c>mlnet</c>-flavor packages: an ML.NET <c>model.zip</c> trained by Kiln on the two vectors
/// of <see cref="MlNetFeatureRow"/>, with <see cref="MlNetFlavorOptions"/> mapping the named inputs onto them.
/// FastTree and LightGBM models are served by the compiled tree engine when it covers them and agrees with
/// ML.NET (<see cref="MlNetTreeEngine"/>); ML.NET's runtime stays behind it as the reference.
/// </summary>
/// <param name="compileTrees">Offer tree models to the compiled engine (default); false serves every model with ML.NET.</param>
public sealed class MlNetRuntimeFactory(bool compileTrees = true) : IModelRuntimeFactory
{
    public MlNetRuntimeFactory()
        : this(true)
    {
    }

    public string Flavor => ModelFlavors.MlNet;

    public IModelRuntime Load(ModelManifest manifest, Func<string, Stream> openFile)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(openFile);
        var options = MlNetFlavorOptions.Parse(manifest.FlavorOptions);
        var map = MlNetInputMap.Create(manifest.Signature, options);
        CheckOutputs(manifest.Signature, options);

        var ml = new MLContext(seed: 0);

        // A model.zip names the assemblies of its transformers; make sure the trainers Kiln uses are known.
        ml.ComponentCatalog.RegisterAssembly(typeof(FastTreeBinaryModelParameters).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(LightGbmBinaryModelParameters).Assembly);
        var model = LoadModel(ml, manifest.ModelFile, openFile, out var inputSchema);
        CheckInputs(inputSchema, map, manifest.ModelFile);
        CheckScoreColumns(model, map, options, manifest.ModelFile);
        IMlNetScorer reference = options.Task switch
        {
            MlNetFlavorOptions.BinaryTask => new BinaryMlNetRuntime(ml, model, manifest.Signature, map, options),
            MlNetFlavorOptions.MulticlassTask => new MulticlassMlNetRuntime(ml, model, manifest.Signature, map, options),
            _ => new RegressionMlNetRuntime(ml, model, manifest.Signature, map, options),
        };
        return compileTrees ? MlNetTreeEngine.Choose(ml, model, inputSchema, map, options, reference) : reference;
    }

    private static ITransformer LoadModel(MLContext ml, string modelFile, Func<string, Stream> openFile, out DataViewSchema inputSchema)
    {
        using var buffer = new MemoryStream();
        using (var stream = openFile(modelFile))
        {
            stream.CopyTo(buffer);
        }

        buffer.Position = 0;
        try
        {
            return ml.Model.Load(buffer, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw KilnException.Invalid(modelFile, $"is not a loadable ML.NET model: {e.Message}");
        }
    }

    private static void CheckInputs(DataViewSchema inputSchema, MlNetInputMap map, string modelFile)
    {
        CheckVector(inputSchema, MlNetFeatureRow.NumericColumn, map.NumericCount, NumberDataViewType.Single, modelFile);
        CheckVector(inputSchema, MlNetFeatureRow.CategoricalColumn, map.CategoricalCount, TextDataViewType.Instance, modelFile);
    }

    private static void CheckVector(DataViewSchema schema, string name, int size, DataViewType itemType, string modelFile)
    {
        if (size == 0)
        {
            return;
        }

        var column = schema.GetColumnOrNull(name);
        if (column is not { Type: VectorDataViewType vector } || vector.ItemType != itemType || vector.Size != size)
        {
            var actual = column?.Type.ToString() ?? "absent";
            throw KilnException.Invalid(modelFile, $"reads column '{name}' as {actual}, but the flavor options give it {size} features.");
        }
    }

    private static void CheckScoreColumns(ITransformer model, MlNetInputMap map, MlNetFlavorOptions options, string modelFile)
    {
        var output = model.GetOutputSchema(InputSchema(map));
        (string Column, DataViewType? Type)[] expected = options.Task switch
        {
            MlNetFlavorOptions.BinaryTask => [(BinaryMlNetRuntime.ProbabilityColumn, NumberDataViewType.Single)],
            MlNetFlavorOptions.MulticlassTask => [(MulticlassMlNetRuntime.ScoreColumn, new VectorDataViewType(NumberDataViewType.Single, options.ClassLabels.Count))],
            _ => [(RegressionMlNetRuntime.ScoreColumn, NumberDataViewType.Single)],
        };
        foreach (var (name, type) in expected)
        {
            var column = output.GetColumnOrNull(name);
            if (column is null || !column.Value.Type.Equals(type))
            {
                throw KilnException.Invalid(modelFile, $"does not produce column '{name}' as {type} that a {options.Task} model scores into.");
            }
        }
    }

    /// <summary>The two vector columns as the model reads them (a vector without features is left out).</summary>
    private static DataViewSchema InputSchema(MlNetInputMap map)
    {
        var builder = new DataViewSchema.Builder();
        if (map.NumericCount > 0)
        {
            builder.AddColumn(MlNetFeatureRow.NumericColumn, new VectorDataViewType(NumberDataViewType.Single, map.NumericCount));
        }

        if (map.CategoricalCount > 0)
        {
            builder.AddColumn(MlNetFeatureRow.CategoricalColumn, new VectorDataViewType(TextDataViewType.Instance, map.CategoricalCount));
        }

        return builder.ToSchema();
    }

    private static void CheckOutputs(ModelSignature signature, MlNetFlavorOptions options)
    {
        string[] names = options.Task == MlNetFlavorOptions.RegressionTask
            ? [MlNetFlavorOptions.PredictionOutput]
            : [MlNetFlavorOptions.LabelOutput, MlNetFlavorOptions.ProbabilitiesOutput];
        foreach (var output in signature.Outputs)
        {
            if (!names.Contains(output.Name))
            {
                throw KilnException.Invalid("signature", $"output '{output.Name}' is not one a {options.Task} mlnet model gives ({string.Join(", ", names)}).");
            }
        }

        if (signature.Outputs.Count == 0)
        {
            throw KilnException.Invalid("signature", "names no outputs.");
        }
    }
}
