using System.Collections.Concurrent;

namespace Kiln.Inference.Serving;

/// <summary>
/// Models kept warm after a flip (blue-green, promotion, rollback) for a while, holding one
/// reference each, so that going back within that time is instant. Released when their time is up.
/// </summary>
internal sealed class RetainedModels(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, List<(LoadedModel Model, DateTimeOffset Until)>> _kept = new(StringComparer.Ordinal);

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Keeps <paramref name="models"/> (the caller's table references pass to this list) until now + <paramref name="keep"/>.</summary>
    public void Keep(string deployment, IEnumerable<LoadedModel> models, TimeSpan keep)
    {
        var until = time.GetUtcNow() + keep;
        var list = _kept.GetOrAdd(deployment, _ => []);
        lock (list)
        {
            foreach (var model in models)
            {
                if (model.TryAcquire())
                {
                    list.Add((model, until));
                }
            }
        }

        ReleaseExpired();
    }

    /// <summary>A kept model of that version with a fresh reference for the caller, or null.</summary>
    public LoadedModel? TryTake(string deployment, string model, int version)
    {
        if (!_kept.TryGetValue(deployment, out var list))
        {
            return null;
        }

        lock (list)
        {
            foreach (var (kept, _) in list)
            {
                if (kept.ModelName == model && kept.Version == version && kept.TryAcquire())
                {
                    return kept;
                }
            }
        }

        return null;
    }

    public void ReleaseExpired()
    {
        var now = time.GetUtcNow();
        foreach (var list in _kept.Values)
        {
            lock (list)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (list[i].Until <= now)
                    {
                        list[i].Model.Release();
                        list.RemoveAt(i);
                    }
                }
            }
        }
    }

    public void ReleaseAll(string deployment)
    {
        if (_kept.TryRemove(deployment, out var list))
        {
            lock (list)
            {
                foreach (var (model, _) in list)
                {
                    model.Release();
                }

                list.Clear();
            }
        }
    }
}
