namespace Kiln.Training.Demo;

/// <summary>Draws rows one at a time from a seeded <see cref="Random"/>: the distributions of <c>bankgen.py</c>, shifted by drift.</summary>
internal sealed class BankMarketingSampler
{
    private static readonly string[] Marital = ["married", "single", "divorced"];
    private static readonly double[] MaritalP = [.6, .28, .12];
    private static readonly string[] Education = ["primary", "secondary", "tertiary", "unknown"];
    private static readonly double[] EducationP = [.15, .51, .30, .04];
    private static readonly string[] Contact = ["cellular", "unknown", "telephone"];
    private static readonly double[] ContactP = [.65, .29, .06];
    private static readonly double[] ContactDriftedP = [.88, .04, .08];
    private static readonly string[] Poutcome = ["failure", "other", "success"];
    private static readonly double[] PoutcomeP = [.55, .2, .25];

    // The drifted segment's job mix: more retired, management and self-employed customers.
    private static readonly double[] JobDriftedWeights = [.07, .06, .10, .03, .20, .20, .12, .05, .02, .10, .03, .02];

    private readonly Random _random;
    private readonly double _drift;
    private readonly double[] _jobP;
    private readonly double[] _contactP;
    private double _spareNormal = double.NaN;

    public BankMarketingSampler(int seed, double drift)
    {
        _random = new Random(seed);
        _drift = drift;

        // Mixes move towards the new segment's as drift grows: drift/(1+drift) of the way (half at 1).
        var w = drift / (1 + drift);
        var jobs = BankMarketingRow.Jobs.Length;
        _jobP = new double[jobs];
        for (var j = 0; j < jobs; j++)
        {
            _jobP[j] = ((1 - w) / jobs) + (w * JobDriftedWeights[j]);
        }

        _contactP = new double[ContactP.Length];
        for (var c = 0; c < ContactP.Length; c++)
        {
            _contactP[c] = ((1 - w) * ContactP[c]) + (w * ContactDriftedP[c]);
        }
    }

    public BankMarketingRow Next()
    {
        var age = (int)Math.Clamp(Normal(41 + (_drift * 8), 10.6), 18, 95);
        var job = BankMarketingRow.Jobs[Choice(_jobP)];
        var marital = Marital[Choice(MaritalP)];
        var education = Education[Choice(EducationP)];
        var isDefault = _random.NextDouble() < .02;
        var balance = (int)(Math.Exp(Normal(6.5, 1.3)) - 400 + (_drift * 500));
        var housing = _random.NextDouble() < .56;
        var loan = _random.NextDouble() < .16;
        var contact = Contact[Choice(_contactP)];
        var day = _random.Next(1, 32);
        var month = BankMarketingRow.Months[_random.Next(12)];
        var duration = (int)Exponential(258 * (1 + _drift));
        var campaign = 1 + Poisson(1.8);
        var pdays = _random.NextDouble() < .82 ? -1 : _random.Next(1, 871);
        var previous = pdays < 0 ? 0 : 1 + Poisson(1.5);
        var poutcome = pdays < 0 ? "unknown" : Poutcome[Choice(PoutcomeP)];

        var z = -4.45 + (0.006 * duration) + (poutcome == "success" ? 2.4 : 0) - (housing ? 0.8 : 0) - (loan ? 0.5 : 0)
            + (job is "student" or "retired" ? 0.7 : 0) - (0.15 * campaign) + (education == "tertiary" ? 0.4 : 0)
            - (contact == "unknown" ? 1.4 : 0) + (month is "mar" or "sep" or "oct" or "dec" ? 1.5 : 0) - (month == "may" ? 0.6 : 0)
            + (0.00012 * Math.Clamp(balance, -2000, 20000)) + (0.03 * Math.Abs(age - 40)) + (previous > 0 ? 0.5 : 0);
        var yes = _random.NextDouble() < 1 / (1 + Math.Exp(-z));

        return new BankMarketingRow(age, job, marital, education, isDefault ? "yes" : "no", balance, housing ? "yes" : "no", loan ? "yes" : "no",
            contact, day, month, duration, campaign, pdays, previous, poutcome, yes ? "yes" : "no");
    }

    private int Choice(double[] probabilities)
    {
        var u = _random.NextDouble();
        for (var i = 0; i < probabilities.Length - 1; i++)
        {
            u -= probabilities[i];
            if (u < 0)
            {
                return i;
            }
        }

        return probabilities.Length - 1;
    }

    /// <summary>Box–Muller, keeping the second value of each pair for the next call.</summary>
    private double Normal(double mean, double stdDev)
    {
        double standard;
        if (!double.IsNaN(_spareNormal))
        {
            standard = _spareNormal;
            _spareNormal = double.NaN;
        }
        else
        {
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            var radius = Math.Sqrt(-2.0 * Math.Log(u1));
            standard = radius * Math.Cos(2 * Math.PI * u2);
            _spareNormal = radius * Math.Sin(2 * Math.PI * u2);
        }

        return mean + (stdDev * standard);
    }

    private double Exponential(double mean) => -mean * Math.Log(1.0 - _random.NextDouble());

    /// <summary>Knuth's method: fine for the small means used here.</summary>
    private int Poisson(double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = _random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= _random.NextDouble();
        }

        return k;
    }
}
