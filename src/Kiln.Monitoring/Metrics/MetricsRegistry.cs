using System.Globalization;

namespace Kiln.Monitoring.Metrics;

/// <summary>
/// The metric families of one Kiln process and the collectors that read runtime figures, written
/// in registration order as Prometheus text. Registering is rare and locked; recording into a
/// series never takes a lock.
/// </summary>
public sealed class MetricsRegistry
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private IMetricsCollector[] _collectors = [];

    /// <summary>The registered family names.</summary>
    public IReadOnlyCollection<string> Names
    {
        get
        {
            lock (_gate)
            {
                return [.. _names];
            }
        }
    }

    /// <summary>A counter without labels.</summary>
    public Counter CreateCounter(string name, string help) => CreateCounterFamily(name, help).WithLabels();

    /// <summary>A labelled counter family; its name must end in <c>_total</c>.</summary>
    public MetricFamily<Counter> CreateCounterFamily(string name, string help, params string[] labelNames)
    {
        if (!name.EndsWith("_total", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Counter '{name}' must end in '_total'.", nameof(name));
        }

        return Add(new MetricFamily<Counter>(name, help, MetricType.Counter, Validate(name, labelNames, MetricType.Counter), static () => new Counter(),
            static (writer, family, key, counter) => writer.WriteSample(family.Name, family.LabelNameSpan, key, null, null, counter.Value)));
    }

    /// <summary>A gauge without labels.</summary>
    public Gauge CreateGauge(string name, string help) => CreateGaugeFamily(name, help).WithLabels();

    /// <summary>A labelled gauge family.</summary>
    public MetricFamily<Gauge> CreateGaugeFamily(string name, string help, params string[] labelNames) =>
        Add(new MetricFamily<Gauge>(name, help, MetricType.Gauge, Validate(name, labelNames, MetricType.Gauge), static () => new Gauge(),
            static (writer, family, key, gauge) => writer.WriteSample(family.Name, family.LabelNameSpan, key, null, null, gauge.Value)));

    /// <summary>A histogram without labels.</summary>
    public Histogram CreateHistogram(string name, string help, IReadOnlyList<double> buckets) => CreateHistogramFamily(name, help, buckets).WithLabels();

    /// <summary>A labelled histogram family with fixed, strictly ascending, finite bucket bounds.</summary>
    public MetricFamily<Histogram> CreateHistogramFamily(string name, string help, IReadOnlyList<double> buckets, params string[] labelNames)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var bounds = buckets.ToArray();
        for (var i = 0; i < bounds.Length; i++)
        {
            if (!double.IsFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                throw new ArgumentException("Histogram buckets must be finite and strictly ascending (+Inf is implicit).", nameof(buckets));
            }
        }

        var le = bounds.Select(PrometheusTextWriter.FormatValue).Append("+Inf").ToArray();
        var bucketName = name + "_bucket";
        var sumName = name + "_sum";
        var countName = name + "_count";
        return Add(new MetricFamily<Histogram>(name, help, MetricType.Histogram, Validate(name, labelNames, MetricType.Histogram), () => new Histogram(bounds),
            (writer, family, key, histogram) =>
            {
                Span<long> counts = le.Length <= 64 ? stackalloc long[le.Length] : new long[le.Length];
                histogram.CopyBucketCounts(counts);
                long cumulative = 0;
                for (var i = 0; i < counts.Length; i++)
                {
                    cumulative += counts[i];
                    writer.WriteSample(bucketName, family.LabelNameSpan, key, "le", le[i], cumulative);
                }

                writer.WriteSample(sumName, family.LabelNameSpan, key, null, null, histogram.Sum);
                writer.WriteSample(countName, family.LabelNameSpan, key, null, null, cumulative);
            }));
    }

    /// <summary>A gauge read from <paramref name="read"/> at each scrape (a queue depth, a cache size).</summary>
    public void RegisterCallbackGauge(string name, string help, Func<double> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        RegisterCallback(name, help, MetricType.Gauge, [], () => [new LabelledValue([], read())]);
    }

    /// <summary>A labelled gauge read from <paramref name="read"/> at each scrape: one <see cref="LabelledValue"/> per series.</summary>
    public void RegisterCallbackGauge(string name, string help, IReadOnlyList<string> labelNames, Func<IEnumerable<LabelledValue>> read) =>
        RegisterCallback(name, help, MetricType.Gauge, labelNames, read);

    /// <summary>A counter kept by another component (records written, dropped) and read at each scrape; its name must end in <c>_total</c>.</summary>
    public void RegisterCallbackCounter(string name, string help, Func<double> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        RegisterCallbackCounter(name, help, [], () => [new LabelledValue([], read())]);
    }

    /// <summary>A labelled counter read at each scrape; its name must end in <c>_total</c>.</summary>
    public void RegisterCallbackCounter(string name, string help, IReadOnlyList<string> labelNames, Func<IEnumerable<LabelledValue>> read)
    {
        if (!name.EndsWith("_total", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Counter '{name}' must end in '_total'.", nameof(name));
        }

        RegisterCallback(name, help, MetricType.Counter, labelNames, read);
    }

    /// <summary>Adds a collector that writes whole families at each scrape (process and runtime figures).</summary>
    public void AddCollector(IMetricsCollector collector)
    {
        ArgumentNullException.ThrowIfNull(collector);
        foreach (var name in collector.FamilyNames)
        {
            MetricNames.ValidateMetric(name);
        }

        Add(collector);
    }

    /// <summary>Writes every family as Prometheus text.</summary>
    public void WriteTo(TextWriter output)
    {
        var writer = new PrometheusTextWriter(output);
        foreach (var collector in Volatile.Read(ref _collectors))
        {
            collector.Collect(writer);
        }
    }

    /// <summary>Every family as Prometheus text, in one string.</summary>
    public string Scrape()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        WriteTo(output);
        return output.ToString();
    }

    private void RegisterCallback(string name, string help, MetricType type, IReadOnlyList<string> labelNames, Func<IEnumerable<LabelledValue>> read)
    {
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentNullException.ThrowIfNull(read);
        Add(new CallbackFamily(name, help, type, Validate(name, [.. labelNames], type), read));
    }

    private static string[] Validate(string name, string[] labelNames, MetricType type)
    {
        MetricNames.ValidateMetric(name);
        MetricNames.ValidateLabels(labelNames, type);
        return labelNames;
    }

    private T Add<T>(T collector)
        where T : IMetricsCollector
    {
        lock (_gate)
        {
            foreach (var name in collector.FamilyNames)
            {
                if (_names.Contains(name))
                {
                    throw new InvalidOperationException($"A metric named '{name}' is already registered.");
                }
            }

            _names.UnionWith(collector.FamilyNames);
            _collectors = [.. _collectors, collector];
        }

        return collector;
    }
}
