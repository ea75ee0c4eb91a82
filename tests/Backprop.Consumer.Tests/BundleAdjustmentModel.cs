using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// ADBench's bundle-adjustment objective (microsoft/ADBench, <c>src/cpp/shared/ba.h</c>) for one observation, as a layer
/// whose Jacobian the generator writes: camera (11: Rodrigues rotation 3, center 3, focal length, principal point 2,
/// radial distortion 2), point (3) and weight in; the weighted reprojection error (2) and the weight error 1 − w² out. A
/// layer without loops: its Jacobian replays the reverse sweep in locals. The consumer tests check it against finite
/// differences; the benchmarks compile this same file and time it on ADBench's data.
/// </summary>
public static partial class BundleAdjustmentModel
{
    public const int CameraParameters = 11, Outputs = 3, Inputs = CameraParameters + 3 + 1;

    [Differentiable(Forward = true, Jacobian = true)]
    public static void Reprojection(ReadOnlySpan<double> camera, ReadOnlySpan<double> point, double weight, [NoDerivative] ReadOnlySpan<double> feature, Span<double> error)
    {
        // The point relative to the camera center, rotated by the Rodrigues vector camera[0..2].
        double px = point[0] - camera[3], py = point[1] - camera[4], pz = point[2] - camera[5];
        double r0 = camera[0], r1 = camera[1], r2 = camera[2];
        double squaredAngle = r0 * r0 + r1 * r1 + r2 * r2;
        double xr, yr, zr;
        if (squaredAngle != 0)
        {
            double angle = Math.Sqrt(squaredAngle);
            double cos = Math.Cos(angle), sin = Math.Sin(angle), inverse = 1 / angle;
            double w0 = r0 * inverse, w1 = r1 * inverse, w2 = r2 * inverse;
            double crossX = w1 * pz - w2 * py, crossY = w2 * px - w0 * pz, crossZ = w0 * py - w1 * px;
            double along = (w0 * px + w1 * py + w2 * pz) * (1 - cos);
            xr = px * cos + crossX * sin + w0 * along;
            yr = py * cos + crossY * sin + w1 * along;
            zr = pz * cos + crossZ * sin + w2 * along;
        }
        else
        {
            xr = px + (r1 * pz - r2 * py);
            yr = py + (r2 * px - r0 * pz);
            zr = pz + (r0 * py - r1 * px);
        }

        // Projection, radial distortion, focal length and principal point.
        double u = xr / zr, v = yr / zr;
        double squaredRadius = u * u + v * v;
        double distortion = 1 + camera[9] * squaredRadius + camera[10] * squaredRadius * squaredRadius;
        error[0] = weight * (u * distortion * camera[6] + camera[7] - feature[0]);
        error[1] = weight * (v * distortion * camera[6] + camera[8] - feature[1]);
        error[2] = 1 - weight * weight;
    }
}
