using System.Globalization;
using System.Net;
using System.Text;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// A line chart as SVG, written by hand (no plotting package restores here, and the markdown renders SVG as is):
/// axes with ticks, one polyline with markers per series, a legend at the right.
/// </summary>
internal sealed class SvgPlot(string title, string xLabel, string yLabel)
{
    private const int Width = 760, Height = 420, Left = 60, Right = 230, Top = 36, Bottom = 50;

    // Tableau-like palette, then dashes repeat it for series beyond ten.
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private readonly List<(string Name, IReadOnlyList<(double X, double Y)> Points, bool Bold, bool LinesOn)> _series = [];

    public SvgPlot Add(string name, IReadOnlyList<(double X, double Y)> points, bool bold = false, bool lines = true)
    {
        _series.Add((name, points, bold, lines));
        return this;
    }

    public string Render()
    {
        var all = _series.SelectMany(s => s.Points).ToList();
        double x0 = all.Min(p => p.X), x1 = all.Max(p => p.X), y0 = all.Min(p => p.Y), y1 = all.Max(p => p.Y);
        if (x1 - x0 < 1e-9) { x0 -= 0.5; x1 += 0.5; }
        if (y1 - y0 < 1e-9) { y0 -= 0.5; y1 += 0.5; }
        double padY = (y1 - y0) * 0.05;
        y0 -= padY;
        y1 += padY;
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        string X(double x) => F(Left + (x - x0) / (x1 - x0) * plotW);
        string Y(double y) => F(Top + (1 - (y - y0) / (y1 - y0)) * plotH);
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append($"<text x=\"{Left}\" y=\"20\" font-size=\"14\">{E(title)}</text>\n");
        for (int t = 0; t <= 5; t++)
        {
            double xv = x0 + (x1 - x0) * t / 5, yv = y0 + (y1 - y0) * t / 5;
            sb.Append($"<line x1=\"{X(xv)}\" y1=\"{Top}\" x2=\"{X(xv)}\" y2=\"{Top + plotH}\" stroke=\"#eee\"/>");
            sb.Append($"<line x1=\"{Left}\" y1=\"{Y(yv)}\" x2=\"{Left + plotW}\" y2=\"{Y(yv)}\" stroke=\"#eee\"/>\n");
            sb.Append($"<text x=\"{X(xv)}\" y=\"{Top + plotH + 15}\" text-anchor=\"middle\">{F2(xv)}</text>");
            sb.Append($"<text x=\"{Left - 5}\" y=\"{Y(yv)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{F2(yv)}</text>\n");
        }
        sb.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#333\"/>\n");
        sb.Append($"<text x=\"{Left + plotW / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{E(xLabel)}</text>\n");
        sb.Append($"<text transform=\"translate(15,{Top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">{E(yLabel)}</text>\n");
        for (int s = 0; s < _series.Count; s++)
        {
            var (name, points, bold, lines) = _series[s];
            string color = Colors[s % Colors.Length], dash = s >= Colors.Length ? " stroke-dasharray=\"5,3\"" : "";
            string width = bold ? "3" : "1.5";
            var ordered = points.OrderBy(p => p.X).ToList();
            if (lines && ordered.Count > 1)
                sb.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\"{dash} points=\"{string.Join(' ', ordered.Select(p => X(p.X) + "," + Y(p.Y)))}\"/>\n");
            foreach (var p in ordered) sb.Append($"<circle cx=\"{X(p.X)}\" cy=\"{Y(p.Y)}\" r=\"{(bold ? 4 : 3)}\" fill=\"{color}\"/>");
            sb.Append('\n');
            int ly = Top + 10 + s * 16;
            sb.Append($"<line x1=\"{Width - Right + 12}\" y1=\"{ly}\" x2=\"{Width - Right + 32}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"{width}\"{dash}/>");
            sb.Append($"<text x=\"{Width - Right + 38}\" y=\"{ly}\" dominant-baseline=\"middle\"{(bold ? " font-weight=\"bold\"" : "")}>{E(name)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    private static string F2(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
