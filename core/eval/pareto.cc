#include "core/eval/pareto.h"

#include <algorithm>

namespace amend {

std::vector<bool> ParetoOptimal(const std::vector<ParetoPoint>& points) {
  std::vector<bool> optimal(points.size(), true);
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t j = 0; j < points.size() && optimal[i]; ++j) {
      const ParetoPoint& a = points[j];
      const ParetoPoint& b = points[i];
      const bool no_worse = a.x <= b.x && a.y <= b.y;
      const bool better = a.x < b.x || a.y < b.y;
      if (no_worse && better) optimal[i] = false;
    }
  }
  return optimal;
}

double Hypervolume(const std::vector<ParetoPoint>& points,
                   const ParetoPoint& reference) {
  std::vector<ParetoPoint> inside;
  for (const ParetoPoint& p : points) {
    if (p.x < reference.x && p.y < reference.y) inside.push_back(p);
  }
  std::sort(inside.begin(), inside.end(),
            [](const ParetoPoint& a, const ParetoPoint& b) {
              return a.x < b.x || (a.x == b.x && a.y < b.y);
            });
  // Sweep in x; each point adds the strip up to the next lower y seen so far.
  double area = 0.0;
  double ceiling = reference.y;
  for (size_t i = 0; i < inside.size(); ++i) {
    if (inside[i].y >= ceiling) continue;
    // Strip from this x to the reference, between this y and the ceiling.
    area += (reference.x - inside[i].x) * (ceiling - inside[i].y);
    ceiling = inside[i].y;
  }
  return area;
}

}  // namespace amend
