using System;
using Backprop.Consumer.Tests;

namespace Backprop.Benchmarks;

/// <summary>
/// What <c>MJacobian</c> of a loop-free layer could be, as a yardstick for the generator: the generated
/// <c>ReprojectionForward</c> and <c>ReprojectionReverse</c> of <see cref="BundleAdjustmentModel.Reprojection"/> pasted
/// into one method, the forward sweep run once with its values kept in locals (no tape), then one reverse sweep per
/// output row over those locals. The generated <c>ReprojectionJacobian</c> instead calls <c>ReprojectionBackward</c> per
/// row, which runs the forward sweep again each time and hands 30 values over the tape. --check compares the two.
/// </summary>
internal static class BundleAdjustmentJacobianSketch
{
    public static void ReprojectionJacobian(ReadOnlySpan<double> camera, ReadOnlySpan<double> point, double weight, ReadOnlySpan<double> feature, Span<double> error, Span<double> jacobian)
    {
        jacobian.Clear();
        // The forward sweep, once: the generated ReprojectionForward without its tape pushes.
        double xr = 0;
        double yr = 0;
        double zr = 0;
        double angle = 0;
        double cos = 0;
        double sin = 0;
        double inverse = 0;
        double w0 = 0;
        double w1 = 0;
        double w2 = 0;
        double crossX = 0;
        double crossY = 0;
        double crossZ = 0;
        double along = 0;
        double sum = 0;
        double difference = 0;
        double px = point[0] - camera[3];
        double py = point[1] - camera[4];
        double pz = point[2] - camera[5];
        double r0 = camera[0];
        double r1 = camera[1];
        double r2 = camera[2];
        double squaredAngle = r0 * r0 + r1 * r1 + r2 * r2;
        bool branch = squaredAngle != 0.0;
        if (branch)
        {
            angle = global::System.Math.Sqrt(squaredAngle);
            cos = global::System.Math.Cos(angle);
            sin = global::System.Math.Sin(angle);
            inverse = 1.0 / angle;
            w0 = r0 * inverse;
            w1 = r1 * inverse;
            w2 = r2 * inverse;
            crossX = w1 * pz - w2 * py;
            crossY = w2 * px - w0 * pz;
            crossZ = w0 * py - w1 * px;
            sum = w0 * px + w1 * py + w2 * pz;
            difference = 1.0 - cos;
            along = sum * difference;
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
        double u = xr / zr;
        double v = yr / zr;
        double squaredRadius = u * u + v * v;
        double product = camera[10] * squaredRadius;
        double distortion = 1.0 + camera[9] * squaredRadius + product * squaredRadius;
        double product2 = u * distortion;
        double difference2 = product2 * camera[6] + camera[7] - feature[0];
        error[0] = weight * difference2;
        double product3 = v * distortion;
        double difference3 = product3 * camera[6] + camera[8] - feature[1];
        error[1] = weight * difference3;
        error[2] = 1.0 - weight * weight;
        Span<double> dError = stackalloc double[3];
        for (int row = 0; row < 3; row++)
        {
            // One reverse sweep per output row over the forward sweep's locals: the generated ReprojectionReverse without its pops.
            dError.Clear();
            dError[row] = 1;
            Span<double> dCamera = jacobian.Slice(row * 15, 11), dPoint = jacobian.Slice(row * 15 + 11, 3);
            double dWeight = 0;
            double dReprojection_dweight = 0;
            double dReprojection_dpx = 0;
            double dReprojection_dpy = 0;
            double dReprojection_dpz = 0;
            double dReprojection_dr0 = 0;
            double dReprojection_dr1 = 0;
            double dReprojection_dr2 = 0;
            double dReprojection_dsquaredAngle = 0;
            double dReprojection_dangle = 0;
            double dReprojection_dcos = 0;
            double dReprojection_dsin = 0;
            double dReprojection_dinverse = 0;
            double dReprojection_dw0 = 0;
            double dReprojection_dw1 = 0;
            double dReprojection_dw2 = 0;
            double dReprojection_dcrossX = 0;
            double dReprojection_dcrossY = 0;
            double dReprojection_dcrossZ = 0;
            double dReprojection_dalong = 0;
            double dReprojection_dxr = 0;
            double dReprojection_dyr = 0;
            double dReprojection_dzr = 0;
            double dReprojection_du = 0;
            double dReprojection_dv = 0;
            double dReprojection_dsquaredRadius = 0;
            double dReprojection_ddistortion = 0;
            double dReprojection_derrorElement3 = dError[2];
            dError[2] = 0;
            dReprojection_dweight = (-dReprojection_derrorElement3) * (weight + weight);
            double dReprojection_derrorElement2 = dError[1];
            dError[1] = 0;
            dReprojection_dweight += dReprojection_derrorElement2 * difference3;
            double dReprojection_dsum3 = dReprojection_derrorElement2 * weight;
            double dReprojection_dproduct9 = dReprojection_dsum3 * camera[6];
            dReprojection_dv = dReprojection_dproduct9 * distortion;
            dReprojection_ddistortion = dReprojection_dproduct9 * v;
            if (!dCamera.IsEmpty)
            {
                dCamera[6] += dReprojection_dsum3 * product3;
            }
            if (!dCamera.IsEmpty)
            {
                dCamera[8] += dReprojection_dsum3;
            }
            double dReprojection_derrorElement = dError[0];
            dError[0] = 0;
            dReprojection_dweight += dReprojection_derrorElement * difference2;
            double dReprojection_dsum2 = dReprojection_derrorElement * weight;
            double dReprojection_dproduct8 = dReprojection_dsum2 * camera[6];
            dReprojection_du = dReprojection_dproduct8 * distortion;
            dReprojection_ddistortion += dReprojection_dproduct8 * u;
            if (!dCamera.IsEmpty)
            {
                dCamera[6] += dReprojection_dsum2 * product2;
            }
            if (!dCamera.IsEmpty)
            {
                dCamera[7] += dReprojection_dsum2;
            }
            if (!dCamera.IsEmpty)
            {
                dCamera[9] += dReprojection_ddistortion * squaredRadius;
            }
            dReprojection_dsquaredRadius = dReprojection_ddistortion * camera[9];
            double dReprojection_dproduct7 = dReprojection_ddistortion * squaredRadius;
            if (!dCamera.IsEmpty)
            {
                dCamera[10] += dReprojection_dproduct7 * squaredRadius;
            }
            dReprojection_dsquaredRadius += dReprojection_dproduct7 * camera[10];
            dReprojection_dsquaredRadius += dReprojection_ddistortion * product;
            dReprojection_du += dReprojection_dsquaredRadius * (u + u);
            dReprojection_dv += dReprojection_dsquaredRadius * (v + v);
            dReprojection_dyr = dReprojection_dv * (1 / zr);
            dReprojection_dzr = dReprojection_dv * (-v / zr);
            dReprojection_dxr = dReprojection_du * (1 / zr);
            dReprojection_dzr += dReprojection_du * (-u / zr);
            if (branch)
            {
                dReprojection_dpz = dReprojection_dzr * cos;
                dReprojection_dcos = dReprojection_dzr * pz;
                dReprojection_dcrossZ = dReprojection_dzr * sin;
                dReprojection_dsin = dReprojection_dzr * crossZ;
                dReprojection_dw2 = dReprojection_dzr * along;
                dReprojection_dalong = dReprojection_dzr * w2;
                dReprojection_dzr = 0;
                dReprojection_dpy = dReprojection_dyr * cos;
                dReprojection_dcos += dReprojection_dyr * py;
                dReprojection_dcrossY = dReprojection_dyr * sin;
                dReprojection_dsin += dReprojection_dyr * crossY;
                dReprojection_dw1 = dReprojection_dyr * along;
                dReprojection_dalong += dReprojection_dyr * w1;
                dReprojection_dyr = 0;
                dReprojection_dpx = dReprojection_dxr * cos;
                dReprojection_dcos += dReprojection_dxr * px;
                dReprojection_dcrossX = dReprojection_dxr * sin;
                dReprojection_dsin += dReprojection_dxr * crossX;
                dReprojection_dw0 = dReprojection_dxr * along;
                dReprojection_dalong += dReprojection_dxr * w0;
                dReprojection_dxr = 0;
                double dReprojection_dsum = dReprojection_dalong * difference;
                dReprojection_dw0 += dReprojection_dsum * px;
                dReprojection_dpx += dReprojection_dsum * w0;
                dReprojection_dw1 += dReprojection_dsum * py;
                dReprojection_dpy += dReprojection_dsum * w1;
                dReprojection_dw2 += dReprojection_dsum * pz;
                dReprojection_dpz += dReprojection_dsum * w2;
                dReprojection_dcos += -(dReprojection_dalong * sum);
                dReprojection_dw0 += dReprojection_dcrossZ * py;
                dReprojection_dpy += dReprojection_dcrossZ * w0;
                double dReprojection_dproduct3 = -dReprojection_dcrossZ;
                dReprojection_dw1 += dReprojection_dproduct3 * px;
                dReprojection_dpx += dReprojection_dproduct3 * w1;
                dReprojection_dw2 += dReprojection_dcrossY * px;
                dReprojection_dpx += dReprojection_dcrossY * w2;
                double dReprojection_dproduct2 = -dReprojection_dcrossY;
                dReprojection_dw0 += dReprojection_dproduct2 * pz;
                dReprojection_dpz += dReprojection_dproduct2 * w0;
                dReprojection_dw1 += dReprojection_dcrossX * pz;
                dReprojection_dpz += dReprojection_dcrossX * w1;
                double dReprojection_dproduct = -dReprojection_dcrossX;
                dReprojection_dw2 += dReprojection_dproduct * py;
                dReprojection_dpy += dReprojection_dproduct * w2;
                dReprojection_dr2 = dReprojection_dw2 * inverse;
                dReprojection_dinverse = dReprojection_dw2 * r2;
                dReprojection_dr1 = dReprojection_dw1 * inverse;
                dReprojection_dinverse += dReprojection_dw1 * r1;
                dReprojection_dr0 = dReprojection_dw0 * inverse;
                dReprojection_dinverse += dReprojection_dw0 * r0;
                dReprojection_dangle = dReprojection_dinverse * (-inverse / angle);
                dReprojection_dangle += dReprojection_dsin * global::System.Math.Cos(angle);
                dReprojection_dangle += dReprojection_dcos * (-global::System.Math.Sin(angle));
                dReprojection_dsquaredAngle = dReprojection_dangle * (0.5 / angle);
            }
            else
            {
                dReprojection_dpz = dReprojection_dzr;
                dReprojection_dr0 = dReprojection_dzr * py;
                dReprojection_dpy = dReprojection_dzr * r0;
                double dReprojection_dproduct6 = -dReprojection_dzr;
                dReprojection_dr1 = dReprojection_dproduct6 * px;
                dReprojection_dpx = dReprojection_dproduct6 * r1;
                dReprojection_dzr = 0;
                dReprojection_dpy += dReprojection_dyr;
                dReprojection_dr2 = dReprojection_dyr * px;
                dReprojection_dpx += dReprojection_dyr * r2;
                double dReprojection_dproduct5 = -dReprojection_dyr;
                dReprojection_dr0 += dReprojection_dproduct5 * pz;
                dReprojection_dpz += dReprojection_dproduct5 * r0;
                dReprojection_dyr = 0;
                dReprojection_dpx += dReprojection_dxr;
                dReprojection_dr1 += dReprojection_dxr * pz;
                dReprojection_dpz += dReprojection_dxr * r1;
                double dReprojection_dproduct4 = -dReprojection_dxr;
                dReprojection_dr2 += dReprojection_dproduct4 * py;
                dReprojection_dpy += dReprojection_dproduct4 * r2;
                dReprojection_dxr = 0;
            }
            dReprojection_dr0 += dReprojection_dsquaredAngle * (r0 + r0);
            dReprojection_dr1 += dReprojection_dsquaredAngle * (r1 + r1);
            dReprojection_dr2 += dReprojection_dsquaredAngle * (r2 + r2);
            if (!dCamera.IsEmpty)
            {
                dCamera[2] += dReprojection_dr2;
            }
            if (!dCamera.IsEmpty)
            {
                dCamera[1] += dReprojection_dr1;
            }
            if (!dCamera.IsEmpty)
            {
                dCamera[0] += dReprojection_dr0;
            }
            if (!dPoint.IsEmpty)
            {
                dPoint[2] += dReprojection_dpz;
            }
            if (!dCamera.IsEmpty)
            {
                dCamera[5] += -dReprojection_dpz;
            }
            if (!dPoint.IsEmpty)
            {
                dPoint[1] += dReprojection_dpy;
            }
            if (!dCamera.IsEmpty)
            {
                dCamera[4] += -dReprojection_dpy;
            }
            if (!dPoint.IsEmpty)
            {
                dPoint[0] += dReprojection_dpx;
            }
            if (!dCamera.IsEmpty)
            {
                dCamera[3] += -dReprojection_dpx;
            }
            dWeight += dReprojection_dweight;
            jacobian[row * 15 + 14] = dWeight;
        }
    }
}
