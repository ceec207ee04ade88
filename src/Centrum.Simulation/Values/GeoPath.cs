namespace Centrum.Simulation.Values;

/// <summary>
/// A position moving along a smooth path: a steady speed, a heading that turns a little at each step, and a turn back
/// once it wanders beyond <see cref="Radius"/> of where it started, so a map shows a vehicle driving around its area
/// instead of points jumping at random.
/// </summary>
internal sealed class GeoPath
{
    /// <summary>A delivery van in town: 36 km/h.</summary>
    public const double SpeedMetresPerSecond = 10;

    /// <summary>How far from its start a path wanders before it turns back.</summary>
    public const double Radius = 2_000;

    /// <summary>The longest step taken at once: a device that was offline resumes near where it was, not a city away.</summary>
    public static readonly TimeSpan MaxStep = TimeSpan.FromMinutes(1);

    private const double MetresPerDegreeLatitude = 111_320;
    private const double MaxTurnDegrees = 15;

    private readonly double _originLatitude;
    private readonly double _originLongitude;
    private double _heading;

    public GeoPath(Random random, double originLatitude, double originLongitude)
    {
        _originLatitude = originLatitude;
        _originLongitude = originLongitude;
        Latitude = originLatitude;
        Longitude = originLongitude;
        _heading = random.NextDouble() * 360;
    }

    public double Latitude { get; private set; }

    public double Longitude { get; private set; }

    /// <summary>Moves for <paramref name="elapsed"/> (at most <see cref="MaxStep"/>) and answers the new position.</summary>
    public (double Latitude, double Longitude) Advance(Random random, TimeSpan elapsed)
    {
        var seconds = Math.Clamp(elapsed.TotalSeconds, 0, MaxStep.TotalSeconds);
        if (DistanceFromOrigin() > Radius)
        {
            _heading = Bearing(Latitude, Longitude, _originLatitude, _originLongitude);
        }
        else
        {
            _heading = (_heading + (random.NextDouble() * 2 - 1) * MaxTurnDegrees + 360) % 360;
        }

        var distance = SpeedMetresPerSecond * seconds;
        var radians = _heading * Math.PI / 180;
        Latitude += distance * Math.Cos(radians) / MetresPerDegreeLatitude;
        Longitude += distance * Math.Sin(radians) / (MetresPerDegreeLatitude * Math.Cos(Latitude * Math.PI / 180));
        return (Latitude, Longitude);
    }

    /// <summary>Metres between two positions (equirectangular: exact enough over a few kilometres).</summary>
    public static double Distance(double latitude1, double longitude1, double latitude2, double longitude2)
    {
        var dy = (latitude2 - latitude1) * MetresPerDegreeLatitude;
        var dx = (longitude2 - longitude1) * MetresPerDegreeLatitude * Math.Cos((latitude1 + latitude2) / 2 * Math.PI / 180);
        return Math.Sqrt(dx * dx + dy * dy);
    }

    private double DistanceFromOrigin() => Distance(_originLatitude, _originLongitude, Latitude, Longitude);

    private static double Bearing(double fromLatitude, double fromLongitude, double toLatitude, double toLongitude)
    {
        var dy = toLatitude - fromLatitude;
        var dx = (toLongitude - fromLongitude) * Math.Cos(fromLatitude * Math.PI / 180);
        return (Math.Atan2(dx, dy) * 180 / Math.PI + 360) % 360;
    }
}
