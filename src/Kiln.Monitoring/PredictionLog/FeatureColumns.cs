using System.Runtime.CompilerServices;
using Kiln.Core.Packaging;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>A signature's feature columns, grouped by input, worked out once per loaded model.</summary>
public sealed class FeatureColumns
{
    private readonly FeatureColumn[][] _byInput;
    private readonly bool[] _tabular;

    /// <summary>Works out the columns of <paramref name="signature"/>.</summary>
    public FeatureColumns(ModelSignature signature)
    {
        All = FeatureColumn.Of(signature);
        _byInput = new FeatureColumn[signature.Inputs.Count][];
        _tabular = new bool[signature.Inputs.Count];
        for (var i = 0; i < _byInput.Length; i++)
        {
            var input = i;
            _byInput[i] = All.Where(c => c.Input == input).ToArray();
            _tabular[i] = signature.Inputs[i].Columns is not null;
        }
    }

    /// <summary>Every feature column, in input order.</summary>
    public IReadOnlyList<FeatureColumn> All { get; }

    /// <summary>Whether input <paramref name="input"/> is a tabular matrix with named columns.</summary>
    public bool IsTabular(int input) => _tabular[input];

    /// <summary>The feature columns of one input.</summary>
    public IReadOnlyList<FeatureColumn> OfInput(int input) => _byInput[input];
}

/// <summary>Feature columns per signature instance; a loaded model keeps its signature, so this is a per-model cache.</summary>
internal sealed class FeatureColumnCache
{
    private readonly ConditionalWeakTable<ModelSignature, FeatureColumns> _cache = [];

    public FeatureColumns Of(ModelSignature signature) => _cache.GetValue(signature, s => new FeatureColumns(s));
}
