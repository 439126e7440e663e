// spec.generated_in_sync: rtl/pkg/sta_pkg.sv and sw/common/sta_spec.h are what
// scripts/gen_spec.py writes for configs/default.json.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot read " << p;
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// First differing line, for a readable failure.
std::string first_diff(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string l1, l2;
  for (int line = 1;; ++line) {
    const bool g1 = bool(std::getline(x, l1)), g2 = bool(std::getline(y, l2));
    if (!g1 && !g2) return "identical";
    if (!g1 || !g2 || l1 != l2)
      return "line " + std::to_string(line) + ":\n  committed: " + (g1 ? l1 : "<eof>") +
             "\n  generated: " + (g2 ? l2 : "<eof>");
  }
}

}  // namespace

TEST(spec, generated_in_sync) {
  const fs::path root = STA_ROOT;
  const fs::path tmp = fs::temp_directory_path() / ("sta_spec_test_" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  // The committed files say they come from "configs/default.json": run from the root with relative paths.
  const std::string cmd = "cd '" + root.string() + "' && '" + std::string(STA_PYTHON) +
                          "' scripts/gen_spec.py --spec spec/sta_spec.json --hw configs/default.json --sv '" +
                          (tmp / "sta_pkg.sv").string() + "' --cpp '" + (tmp / "sta_spec.h").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string sv_c = slurp(root / "rtl/pkg/sta_pkg.sv"), sv_g = slurp(tmp / "sta_pkg.sv");
  const std::string h_c = slurp(root / "sw/common/sta_spec.h"), h_g = slurp(tmp / "sta_spec.h");
  EXPECT_EQ(sv_c, sv_g) << "rtl/pkg/sta_pkg.sv is stale; regenerate with scripts/gen_spec.py. First difference at "
                        << first_diff(sv_c, sv_g);
  EXPECT_EQ(h_c, h_g) << "sw/common/sta_spec.h is stale; regenerate with scripts/gen_spec.py. First difference at "
                      << first_diff(h_c, h_g);
  fs::remove_all(tmp);
}
