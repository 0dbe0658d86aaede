// Saver benchmark (issue #4): a graph holding 1 GiB of float32 variables
// (128 variables) saved and restored through saver::Saver, next to the
// references measured in the same run:
//   Saver::Save                 vs  write() of the same bytes
//   Saver::Save + fsync         vs  write() + fsync of the same bytes
//   Saver::Restore              vs  read() of the same bytes from the page cache
//   Checkpoint::Write / Restore (tf.train.Checkpoint) vs write() / read()
//   torch.save / torch.load     of the same tensors (Debian's python3-torch)
//   peak RSS of a fresh process restoring the checkpoint
// Each timing is the median of --reps runs after a warm-up. Ratios are
// reference_time / tfport_time (1.0 = as fast as the reference).
//
// usage: saver_bench [--dir DIR] [--mib 1024] [--vars 128] [--reps 5]
//        saver_bench --restore-only PREFIX MIB VARS   (used for the RSS figure)
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "tfport/graph/ops.h"
#include "tfport/io/bundle.h"
#include "tfport/io/file.h"
#include "tfport/kernels/kernels.h"
#include "tfport/saver/checkpoint.h"
#include "tfport/saver/saver.h"

using namespace tfport;
using bench::Check;
using bench::MaxRssKiB;
using bench::MedianOf;
using Clock = std::chrono::steady_clock;

namespace {

void SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fdatasync(fd);
    ::close(fd);
  }
}

// VariableV2 nodes v000..vNNN of `elements` floats each (bench::AddFedVariable).
struct Model {
  graph::Graph g;
  std::vector<std::string> vars;
  std::unique_ptr<saver::Saver> saver;
  std::unique_ptr<runtime::Session> session;

  Model(int count, int64_t elements) {
    for (int i = 0; i < count; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "v%03d", i);
      bench::AddFedVariable(g, name, elements);
      vars.push_back(name);
    }
    Check(g.status());
    auto s = saver::Saver::Create(g, {.var_list = vars});
    Check(s.status());
    saver = std::move(*s);
    session = kernels::NewSession(g);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "bench_data";
  int mib = 1024, count = 128, reps = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--restore-only") {
      std::string prefix = next();
      int m = std::atoi(next().c_str()), c = std::atoi(next().c_str());
      Model model(c, static_cast<int64_t>(m) * (1 << 20) / 4 / c);
      Check(model.saver->Restore(*model.session, prefix));
      std::printf("%ld\n", MaxRssKiB());
      return 0;
    }
    if (a == "--dir") dir = next();
    else if (a == "--mib") mib = std::atoi(next().c_str());
    else if (a == "--vars") count = std::atoi(next().c_str());
    else if (a == "--reps") reps = std::atoi(next().c_str());
  }
  Check(io::CreateDirectories(dir));
  const int64_t elements = static_cast<int64_t>(mib) * (1 << 20) / 4 / count;
  const double gib = static_cast<double>(elements) * 4 * count / (1 << 30);
  std::printf("tfport saver benchmark: %d float32 variables, %.2f GiB, median of %d runs\n\n",
              count, gib, reps);

  Model model(count, elements);
  std::vector<Tensor> values;
  uint32_t seed = 12345;
  for (size_t i = 0; i < model.vars.size(); ++i) values.push_back(bench::RandomFloats(elements, &seed));
  Check(bench::LoadFedVariables(*model.session, model.vars, values));

  const std::string raw = dir + "/raw.bin";
  const std::string prefix = dir + "/model.ckpt";
  const std::string data = prefix + ".data-00000-of-00001";
  auto raw_write = [&](bool sync) { bench::RawWrite(raw, values, sync); };
  double save_t[2], raw_t[2];
  for (int sync = 0; sync < 2; ++sync) {
    raw_t[sync] = MedianOf(reps, [&] { raw_write(sync); });
    save_t[sync] = MedianOf(reps, [&] {
      Check(model.saver->Save(*model.session, prefix, {.write_meta_graph = true, .write_state = true})
                .status());
      if (sync) {
        SyncFile(data);
        SyncFile(prefix + ".index");
        SyncFile(prefix + ".meta");
      }
    });
    std::printf("%-34s %6.2f GB/s   write()%s %6.2f GB/s   ratio %.2f\n",
                sync ? "Saver::Save + fsync:" : "Saver::Save (page cache):",
                gib * 1.073741824 / save_t[sync], sync ? "+fsync" : "      ",
                gib * 1.073741824 / raw_t[sync], raw_t[sync] / save_t[sync]);
  }
  // tf.train.Checkpoint of the same tensors (object paths model/v000, ...),
  // written and restored by object path.
  auto net = saver::Trackable::Object();
  for (size_t i = 0; i < values.size(); ++i)
    net->Track(model.vars[i], saver::Trackable::Variable(model.vars[i], values[i]));
  saver::Checkpoint ckpt({{"model", net}});
  const std::string tf2_prefix = dir + "/tf2_ckpt";
  const double ckpt_save_t = MedianOf(reps, [&] { Check(ckpt.Write(tf2_prefix).status()); });
  std::printf("%-34s %6.2f GB/s   write()       %6.2f GB/s   ratio %.2f\n", "Checkpoint::Write (page cache):",
              gib * 1.073741824 / ckpt_save_t, gib * 1.073741824 / raw_t[0], raw_t[0] / ckpt_save_t);
  values.clear();

  std::vector<char> buf(static_cast<size_t>(elements) * 4 * static_cast<size_t>(count));
  std::memset(buf.data(), 0, buf.size());  // first touch outside the timing
  double read_t = MedianOf(reps, [&] {
    int fd = ::open(raw.c_str(), O_RDONLY);
    for (size_t done = 0;;) {
      ssize_t r = ::read(fd, buf.data() + done, buf.size() - done);
      if (r <= 0) break;
      done += static_cast<size_t>(r);
    }
    ::close(fd);
  });
  buf.clear();
  buf.shrink_to_fit();
  double restore_t = MedianOf(reps, [&] { Check(model.saver->Restore(*model.session, prefix)); });
  std::printf("%-34s %6.2f GB/s   read()        %6.2f GB/s   ratio %.2f\n",
              "Saver::Restore (CRC verified):", gib * 1.073741824 / restore_t,
              gib * 1.073741824 / read_t, read_t / restore_t);

  const double ckpt_restore_t = MedianOf(reps, [&] {
    auto status = ckpt.Restore(tf2_prefix);
    Check(status.status());
    Check(status->AssertConsumed());
  });
  std::printf("%-34s %6.2f GB/s   read()        %6.2f GB/s   ratio %.2f\n",
              "Checkpoint::Restore (CRC verified):", gib * 1.073741824 / ckpt_restore_t,
              gib * 1.073741824 / read_t, read_t / ckpt_restore_t);
  net.reset();
  ckpt = saver::Checkpoint();
  std::remove(io::BundleIndexPath(tf2_prefix).c_str());
  std::remove(io::BundleDataPath(tf2_prefix, 0, 1).c_str());

  // Peak RSS of a fresh process restoring the checkpoint.
  std::string cmd = std::string("'") + argv[0] + "' --restore-only '" + prefix + "' " +
                    std::to_string(mib) + " " + std::to_string(count);
  FILE* p = popen(cmd.c_str(), "r");
  long rss = 0;
  if (p && std::fscanf(p, "%ld", &rss) == 1)
    std::printf("%-34s %6.2f GiB for a %.2f GiB checkpoint (ratio %.2f)\n",
                "peak RSS, restoring process:", rss / 1048576.0, gib, rss / 1048576.0 / gib);
  if (p) pclose(p);

  // torch.save / torch.load of the same amount of data.
  std::string torch = std::string("/usr/bin/python3 '") + TFPORT_SOURCE_DIR +
                      "/bench/torch_saver_ref.py' '" + dir + "' " + std::to_string(mib) + " " +
                      std::to_string(count) + " " + std::to_string(reps) + " 2>/dev/null";
  p = popen(torch.c_str(), "r");
  double ts = 0, tl = 0;
  if (p && std::fscanf(p, "%lf %lf", &ts, &tl) == 2) {
    std::printf("%-34s %6.2f s vs Saver::Save %.2f s      ratio %.2f\n", "torch.save:", ts,
                save_t[0], ts / save_t[0]);
    std::printf("%-34s %6.2f s vs Saver::Restore %.2f s   ratio %.2f\n", "torch.load:", tl,
                restore_t, tl / restore_t);
  } else {
    std::printf("torch reference skipped: /usr/bin/python3 cannot import torch "
                "(apt-get install python3-torch)\n");
  }
  if (p) pclose(p);
  std::remove(raw.c_str());
  saver::RemoveCheckpoint(prefix, tf::SaverDef::V2);
  std::remove((dir + "/checkpoint").c_str());
  return 0;
}
