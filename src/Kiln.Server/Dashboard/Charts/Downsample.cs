namespace Kiln.Server.Dashboard.Charts;

/// <summary>
/// Largest-Triangle-Three-Buckets: thins a long series to at most <c>threshold</c> points while keeping its shape
/// (peaks and dips survive, unlike every-nth sampling). A browser draws 10,000 metric steps as ~500 points.
/// </summary>
internal static class Downsample
{
    public static IReadOnlyList<ChartPoint> Lttb(IReadOnlyList<ChartPoint> points, int threshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 3);
        if (points.Count <= threshold)
        {
            return points;
        }

        var sampled = new List<ChartPoint>(threshold) { points[0] };
        var bucketSize = (double)(points.Count - 2) / (threshold - 2);
        var a = 0;
        for (var i = 0; i < threshold - 2; i++)
        {
            // The average of the next bucket is the third corner of the triangle.
            var nextStart = (int)Math.Floor((i + 1) * bucketSize) + 1;
            var nextEnd = Math.Min((int)Math.Floor((i + 2) * bucketSize) + 1, points.Count);
            double avgX = 0, avgY = 0;
            var n = 0;
            for (var j = nextStart; j < nextEnd; j++)
            {
                if (points[j].Y is { } y)
                {
                    avgX += points[j].X;
                    avgY += y;
                    n++;
                }
            }

            if (n > 0)
            {
                avgX /= n;
                avgY /= n;
            }

            var start = (int)Math.Floor(i * bucketSize) + 1;
            var end = (int)Math.Floor((i + 1) * bucketSize) + 1;
            var ax = points[a].X;
            var ay = points[a].Y ?? avgY;
            var best = start;
            var bestArea = -1.0;
            for (var j = start; j < end; j++)
            {
                var area = Math.Abs(((ax - avgX) * ((points[j].Y ?? ay) - ay)) - ((ax - points[j].X) * (avgY - ay)));
                if (area > bestArea)
                {
                    bestArea = area;
                    best = j;
                }
            }

            sampled.Add(points[best]);
            a = best;
        }

        sampled.Add(points[^1]);
        return sampled;
    }
}
