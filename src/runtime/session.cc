#include "tfport/runtime/session.h"

#include <algorithm>
#include <thread>

namespace tfport::runtime {
namespace {

// Python's formatting of a shape in feed errors: "()", "(2,)", "(2, 3)".
std::string PyShape(const Shape& s) {
  if (s.unknown_rank()) return "<unknown>";
  std::string out = "(";
  for (int i = 0; i < s.rank(); ++i) {
    if (i) out += ", ";
    out += s.dim(i) < 0 ? std::string("?") : std::to_string(s.dim(i));
  }
  if (s.rank() == 1) out += ",";
  return out + ")";
}


}  // namespace

Session::Session(const graph::Graph& graph, SessionOptions options)
    : graph_(graph), options_(options) {
  size_t hw = std::max(1u, std::thread::hardware_concurrency());
  size_t inter = options.inter_op_threads >= 0 ? static_cast<size_t>(options.inter_op_threads) : hw - 1;
  size_t intra = options.intra_op_threads >= 0 ? static_cast<size_t>(options.intra_op_threads) : hw - 1;
  inter_pool_ = std::make_unique<ThreadPool>(inter);
  intra_pool_ = std::make_unique<ThreadPool>(intra);
  functions_ = std::make_unique<FunctionLibraryRuntime>(graph_, options_.kernels, options_.functions);
  kernels_ =
      std::make_unique<KernelCache>(options_.kernels, functions_.get(), options_.fuse_kernels);
  env_.resources = &resources_;
  env_.inter_op_pool = inter_pool_.get();
  env_.intra_op_pool = intra_pool_.get();
  env_.functions = functions_.get();
}

Session::~Session() {
  inter_pool_.reset();  // drains tasks that still reference run states
  intra_pool_.reset();
}

Result<std::shared_ptr<const Session::Callable>> Session::MakeCallable(
    const std::vector<std::string>& feed_names, const std::vector<std::string>& fetches,
    const std::vector<std::string>& targets) {
  auto c = std::make_shared<Callable>();
  c->generation_ = graph_.generation();
  c->feed_names_ = feed_names;
  c->fetch_names_ = fetches;
  c->target_names_ = targets;
  ExecutorSpec spec;
  for (const std::string& f : feed_names) {
    Result<graph::Output> t = graph_.GetTensorByName(f);
    if (!t.ok()) return t.status().WithContext("feed '", f, "'");
    spec.args.push_back(*t);
  }
  for (const std::string& f : fetches) {
    Result<graph::Output> t = f.find(':') == std::string::npos && graph_.FindNode(f) != nullptr
                                  ? Result<graph::Output>(graph::Output{graph_.FindNode(f), 0})
                                  : graph_.GetTensorByName(f);
    if (!t.ok()) return t.status().WithContext("fetch '", f, "'");
    if (t->node->num_outputs() == 0)
      return errors::InvalidArgument("fetch '", f, "': operation ", t->node->name(),
                                     " has no outputs; run it as a target instead");
    spec.rets.push_back(*t);
  }
  for (const std::string& name : targets) {
    Result<graph::Node*> n = graph_.GetOperationByName(name);
    if (!n.ok()) return n.status().WithContext("target '", name, "'");
    spec.targets.push_back(*n);
  }
  c->feeds_ = spec.args;
  TFPORT_ASSIGN_OR_RETURN(c->executor_, Executor::Create(graph_, kernels_.get(), std::move(spec)));
  return std::shared_ptr<const Callable>(std::move(c));
}

Result<std::shared_ptr<const Session::Callable>> Session::GetCallable(
    const std::vector<std::string>& feed_names, const std::vector<std::string>& fetches,
    const std::vector<std::string>& targets) {
  const uint64_t generation = graph_.generation();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& c : callables_)
      if (c->generation_ == generation && c->feed_names_ == feed_names &&
          c->fetch_names_ == fetches && c->target_names_ == targets)
        return c;
  }
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<const Callable> c,
                          MakeCallable(feed_names, fetches, targets));
  std::lock_guard<std::mutex> lock(mu_);
  if (callables_.size() >= 16) callables_.erase(callables_.begin());
  callables_.push_back(c);
  return c;
}

Status Session::RunCallable(const Callable& callable, std::span<const Tensor> feeds,
                            std::vector<Tensor>* outputs) {
  // Release the caller's previous results first: their buffers can then be
  // reused for this run's outputs instead of fresh memory.
  outputs->clear();
  if (feeds.size() != callable.feeds_.size())
    return errors::InvalidArgument("expected ", callable.feeds_.size(), " feeds, got ",
                                   feeds.size());
  // Feeds must match the graph's dtype and static shape.
  for (size_t k = 0; k < feeds.size(); ++k) {
    const graph::Output& t = callable.feeds_[k];
    const Tensor& v = feeds[k];
    DataType want = BaseType(t.dtype());
    if (want != DT_INVALID && v.dtype() != want)
      return errors::InvalidArgument("Cannot feed value of dtype ", DataTypeName(v.dtype()),
                                     " for Tensor '", t.name(), "', which has dtype ",
                                     DataTypeName(want));
    Shape declared = t.shape();
    if (!declared.IsCompatibleWith(v.shape()))
      return errors::InvalidArgument("Cannot feed value of shape ", PyShape(v.shape()),
                                     " for Tensor '", t.name(), "', which has shape '",
                                     PyShape(declared), "'");
  }
  return callable.executor_->Run(env_, feeds, outputs);
}

Result<std::vector<Tensor>> Session::Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                         const std::vector<std::string>& fetches) {
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(Run(feeds, fetches, {}, &out));
  return out;
}

Status Session::Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                    const std::vector<std::string>& fetches,
                    const std::vector<std::string>& targets, std::vector<Tensor>* outputs) {
  outputs->clear();
  std::vector<std::string> feed_names;
  std::vector<Tensor> values;
  feed_names.reserve(feeds.size());
  values.reserve(feeds.size());
  for (const auto& f : feeds) {
    feed_names.push_back(f.first);
    values.push_back(f.second);
  }
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<const Callable> c,
                          GetCallable(feed_names, fetches, targets));
  return RunCallable(*c, values, outputs);
}

}  // namespace tfport::runtime
