namespace Kiln.Server.Dashboard.Charts;

/// <summary>Series colours: distinguishable, and readable by most colour-blind people (Okabe–Ito order).</summary>
internal static class Palette
{
    private static readonly string[] Colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

    public static string Colour(int index) => Colours[index % Colours.Length];
}
