using System.Collections.Concurrent;

namespace Kiln.Monitoring.Metrics;

/// <summary>
/// A metric family: one name, help text and label names, and a series per distinct set of label
/// values. Finding an existing series hashes the values held inline and allocates nothing.
/// </summary>
/// <typeparam name="TChild"><see cref="Counter"/>, <see cref="Gauge"/> or <see cref="Histogram"/>.</typeparam>
public sealed class MetricFamily<TChild> : IMetricsCollector
    where TChild : class
{
    private readonly ConcurrentDictionary<LabelKey, TChild> _children = new();
    private readonly string[] _labelNames;
    private readonly Func<TChild> _create;
    private readonly Action<PrometheusTextWriter, MetricFamily<TChild>, LabelKey, TChild> _write;

    internal MetricFamily(string name, string help, MetricType type, string[] labelNames, Func<TChild> create,
        Action<PrometheusTextWriter, MetricFamily<TChild>, LabelKey, TChild> write)
    {
        Name = name;
        Help = help;
        Type = type;
        _labelNames = labelNames;
        _create = create;
        _write = write;
        FamilyNames = [name];
    }

    /// <summary>The family name.</summary>
    public string Name { get; }

    /// <summary>The help text.</summary>
    public string Help { get; }

    /// <summary>The metric type.</summary>
    public MetricType Type { get; }

    /// <summary>The label names, in the order <see cref="WithLabels"/> takes their values.</summary>
    public IReadOnlyList<string> LabelNames => _labelNames;

    /// <summary>The number of series created so far.</summary>
    public int SeriesCount => _children.Count;

    IReadOnlyCollection<string> IMetricsCollector.FamilyNames => FamilyNames;

    private string[] FamilyNames { get; }

    /// <summary>The series for these label values (null is the empty value), created on first use.</summary>
    public TChild WithLabels(params ReadOnlySpan<string?> values)
    {
        if (values.Length != _labelNames.Length)
        {
            throw new ArgumentException($"Metric '{Name}' has {_labelNames.Length} labels but {values.Length} values were given.", nameof(values));
        }

        var key = new LabelKey(values);
        return _children.TryGetValue(key, out var child)
            ? child
            : _children.GetOrAdd(key, static (_, create) => create(), _create);
    }

    /// <summary>Drops every series whose label values match <paramref name="predicate"/>, e.g. those of a deleted deployment.</summary>
    public int RemoveWhere(Func<IReadOnlyList<string>, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var removed = 0;
        foreach (var key in _children.Keys)
        {
            if (predicate(key.ToArray()) && _children.TryRemove(key, out _))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <inheritdoc />
    public void Collect(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_children.IsEmpty)
        {
            return;
        }

        var series = _children.ToArray();
        Array.Sort(series, static (a, b) => a.Key.CompareTo(b.Key));
        writer.WriteFamily(Name, Help, Type);
        foreach (var (key, child) in series)
        {
            _write(writer, this, key, child);
        }
    }

    internal ReadOnlySpan<string> LabelNameSpan => _labelNames;
}
