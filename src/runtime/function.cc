#include "tfport/runtime/function.h"

#include <algorithm>
#include <functional>

#include "tfport/core/str_util.h"

namespace tfport::runtime {
namespace {

std::string AttrString(const tf::FunctionDef& f, const char* name) {
  auto it = f.attr().find(name);
  return it == f.attr().end() ? std::string() : it->second.s();
}

bool IsCpuDevice(std::string_view d) { return d == "CPU" || d.empty(); }

// Attr bindings in a canonical order, for the instantiation cache key.
std::string AttrKey(const graph::AttrMap& attrs) {
  std::map<std::string, const tf::AttrValue*> sorted;
  for (const auto& [k, v] : attrs) sorted[k] = &v;
  std::string key;
  for (const auto& [k, v] : sorted) {
    key += k;
    key += '=';
    std::string bytes;
    v->SerializeToString(&bytes);
    key += std::to_string(bytes.size());
    key += ':';
    key += bytes;
  }
  return key;
}

class CallKernel final : public OpKernel {
 public:
  explicit CallKernel(FunctionRef ref) : ref_(std::move(ref)) {}
  Status Compute(OpKernelContext& ctx) const override {
    TFPORT_ASSIGN_OR_RETURN(const FunctionLibraryRuntime::Function* f, ref_.Get(ctx.env()));
    return ctx.env().functions->Call(ctx, *f);
  }

 private:
  FunctionRef ref_;
};

}  // namespace

FunctionLibraryRuntime::FunctionLibraryRuntime(const graph::Graph& graph,
                                               const KernelRegistry* kernels,
                                               FunctionLibraryOptions options)
    : graph_(graph), kernels_(kernels), options_(options) {}

FunctionLibraryRuntime::~FunctionLibraryRuntime() = default;

void FunctionLibraryRuntime::IndexLibrary() const {
  const auto& lib = graph_.library();
  if (indexed_size_ == lib.function_size()) return;
  by_name_.clear();
  preferred_.clear();
  std::map<std::string, std::string> cpu_impl;  // api_implements -> CPU function
  for (const auto& f : lib.function()) {
    by_name_.emplace(f.signature().name(), &f);
    std::string api = AttrString(f, "api_implements");
    if (!api.empty() && IsCpuDevice(AttrString(f, "api_preferred_device")))
      cpu_impl.emplace(api, f.signature().name());
  }
  for (const auto& f : lib.function()) {
    std::string api = AttrString(f, "api_implements");
    if (api.empty() || IsCpuDevice(AttrString(f, "api_preferred_device"))) continue;
    auto it = cpu_impl.find(api);
    if (it != cpu_impl.end()) preferred_[f.signature().name()] = it->second;
  }
  indexed_size_ = lib.function_size();
}

const tf::FunctionDef* FunctionLibraryRuntime::Find(std::string_view name) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  IndexLibrary();
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::string FunctionLibraryRuntime::SelectImplementation(std::string_view name) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  IndexLibrary();
  auto it = preferred_.find(name);
  return it == preferred_.end() ? std::string(name) : it->second;
}

const graph::OpRegistry& FunctionLibraryRuntime::registry() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (!registry_) registry_ = std::make_unique<graph::OpRegistry>(&graph_.registry());
  const auto& lib = graph_.library();
  if (registry_size_ != lib.function_size()) {
    // Only ever adds: body graphs built earlier keep pointers into it.
    for (const auto& f : lib.function())
      if (registry_->Find(f.signature().name()) == nullptr) (void)registry_->Register(f.signature());
    registry_size_ = lib.function_size();
  }
  return *registry_;
}

Status FunctionLibraryRuntime::CheckLimitsLocked() {
  const auto& lib = graph_.library();
  if (size_checked_ != lib.function_size()) {
    const uint64_t bytes = lib.ByteSizeLong();
    size_status_ = bytes > options_.max_library_bytes
                       ? errors::ResourceExhausted(
                             "the graph's function library is ", bytes,
                             " bytes, over the limit of ", options_.max_library_bytes,
                             " bytes (FunctionLibraryOptions.max_library_bytes)")
                       : OkStatus();
    size_checked_ = lib.function_size();
  }
  return size_status_;
}

Status FunctionLibraryRuntime::CheckRecursion(const std::string& root) {
  // REQUIRES: mu_ held. Depth-first over the call graph; a call back into a
  // function still on the path is a cycle.
  if (non_recursive_.count(root)) return OkStatus();
  std::vector<std::string> path;
  std::set<std::string> on_path, done;
  auto is_function = [&](const std::string& op) { return Find(op) != nullptr; };
  std::function<Status(const std::string&)> visit = [&](const std::string& name) -> Status {
    if (done.count(name) || non_recursive_.count(name)) return OkStatus();
    if (on_path.count(name)) {
      auto start = std::find(path.begin(), path.end(), name);
      std::vector<std::string> cycle(start, path.end());
      cycle.push_back(name);
      return errors::InvalidArgument("{{function_node ", name, "}} calls itself (",
                                     StrJoin(cycle, " -> "),
                                     "); recursive functions are not supported");
    }
    const tf::FunctionDef* f = Find(name);
    if (f == nullptr) return OkStatus();  // reported when it is instantiated
    path.push_back(name);
    on_path.insert(name);
    for (const auto& node : f->node_def())
      for (const std::string& callee : graph::FunctionsCalledBy(node, is_function))
        TFPORT_RETURN_IF_ERROR(visit(SelectImplementation(callee)));
    on_path.erase(name);
    path.pop_back();
    done.insert(name);
    return OkStatus();
  };
  TFPORT_RETURN_IF_ERROR(visit(root));
  non_recursive_.insert(done.begin(), done.end());
  return OkStatus();
}

Result<const FunctionLibraryRuntime::Function*> FunctionLibraryRuntime::Instantiate(
    std::string_view requested, const graph::AttrMap& attrs) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  TFPORT_RETURN_IF_ERROR(CheckLimitsLocked());
  const std::string name = SelectImplementation(requested);
  const tf::FunctionDef* fdef = Find(name);
  if (fdef == nullptr)
    return errors::NotFound("Function '", requested, "' is not in the graph's function library");
  TFPORT_RETURN_IF_ERROR(CheckRecursion(name));

  const graph::AttrMap bound = graph::BindFunctionAttrs(*fdef, attrs);
  std::string key = name + '\0' + AttrKey(bound);
  auto cached = instances_.find(key);
  if (cached != instances_.end()) return cached->second.get();

  auto f = std::make_unique<Function>();
  f->function_name_ = name;
  f->name_ = graph::FunctionInstanceName(name, bound);
  TFPORT_ASSIGN_OR_RETURN(f->body_, graph::InstantiateFunction(*fdef, bound, &registry()));
  f->kernels_ = std::make_unique<KernelCache>(kernels_, this);
  ExecutorSpec spec;
  spec.args = f->body_.args;
  spec.rets = f->body_.rets;
  for (graph::Node* n : f->body_.control_rets) spec.targets.push_back(n);
  for (graph::Node* n : f->body_.graph->nodes())
    if (n->op_def() && n->op_def()->is_stateful() &&
        std::find(spec.targets.begin(), spec.targets.end(), n) == spec.targets.end())
      spec.targets.push_back(n);
  Result<std::unique_ptr<Executor>> exec =
      Executor::Create(*f->body_.graph, f->kernels_.get(), std::move(spec));
  if (!exec.ok())
    return Status(exec.status().code(),
                  "{{function_node " + name + "}} " + exec.status().message());
  f->executor_ = std::move(*exec);
  const Function* raw = f.get();
  instances_.emplace(std::move(key), std::move(f));
  return raw;
}

Status FunctionLibraryRuntime::Run(const Function& f, const RunEnv& env,
                                   std::span<const Tensor> args, std::vector<Tensor>* rets) {
  auto fail = [&](Status s) {
    return Status(s.code(), "{{function_node " + f.function_name() + "}} " + s.message());
  };
  if (env.call_depth >= options_.max_call_depth)
    return fail(errors::ResourceExhausted("function calls nest deeper than ",
                                          options_.max_call_depth,
                                          " (FunctionLibraryOptions.max_call_depth)"));
  const auto& types = f.arg_types();
  if (args.size() != types.size())
    return fail(errors::InvalidArgument("expects ", types.size(), " arguments, got ", args.size()));
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].dtype() != types[i])
      return fail(errors::InvalidArgument("Expects arg[", i, "] to be ", DataTypeString(types[i]),
                                          " but ", DataTypeString(args[i].dtype()),
                                          " is provided"));
  RunEnv inner = env;
  inner.functions = this;
  ++inner.call_depth;
  Status s = f.executor_->Run(inner, args, rets);
  if (!s.ok()) return fail(s);
  return OkStatus();
}

Status FunctionLibraryRuntime::Call(OpKernelContext& ctx, const Function& f, int first_input) {
  std::vector<Tensor> args;
  args.reserve(static_cast<size_t>(std::max(0, ctx.num_inputs() - first_input)));
  for (int i = first_input; i < ctx.num_inputs(); ++i) args.push_back(ctx.input(i));
  std::vector<Tensor> rets;
  TFPORT_RETURN_IF_ERROR(Run(f, ctx.env(), args, &rets));
  if (static_cast<int>(rets.size()) != ctx.num_outputs())
    return errors::InvalidArgument("function ", f.name(), " returns ", rets.size(),
                                   " values but the node has ", ctx.num_outputs(), " outputs");
  for (size_t i = 0; i < rets.size(); ++i) ctx.set_output(static_cast<int>(i), std::move(rets[i]));
  return OkStatus();
}

Result<std::unique_ptr<OpKernel>> FunctionLibraryRuntime::MakeCallKernel(const graph::Node& node) {
  graph::AttrMap attrs(node.def().attr().begin(), node.def().attr().end());
  return std::unique_ptr<OpKernel>(new CallKernel(FunctionRef(node.op(), std::move(attrs))));
}

std::vector<std::string> FunctionLibraryRuntime::MissingKernels(
    const std::vector<std::string>& roots) {
  std::vector<std::string> missing;
  std::set<std::string> seen;
  std::set<std::pair<std::string, std::string>> reported;  // (op, function)
  auto is_function = [&](const std::string& op) { return Find(op) != nullptr; };
  std::vector<std::string> stack;
  for (const auto& r : roots) stack.push_back(SelectImplementation(r));
  const graph::OpRegistry& ops = registry();
  while (!stack.empty()) {
    std::string name = stack.back();
    stack.pop_back();
    if (!seen.insert(name).second) continue;
    const tf::FunctionDef* f = Find(name);
    if (f == nullptr) {
      missing.push_back("function " + name + " (not in the library)");
      continue;
    }
    for (const auto& node : f->node_def()) {
      for (const std::string& callee : graph::FunctionsCalledBy(node, is_function))
        stack.push_back(SelectImplementation(callee));
      if (is_function(node.op())) continue;
      const bool known = ops.Find(node.op()) != nullptr;
      const bool runs = kernels_ != nullptr && kernels_->Find(node.op()) != nullptr;
      if ((known && runs) || !reported.emplace(node.op(), name).second) continue;
      missing.push_back(node.op() + " (in function " + name + ", node " + node.name() + ")");
    }
  }
  return missing;
}

// ---------------------------------------------------------------- FunctionRef

Result<FunctionRef> FunctionRef::FromAttr(const graph::Node& node, std::string_view attr) {
  const tf::AttrValue* v = graph::FindAttr(node.def(), attr);
  if (v == nullptr || !v->has_func())
    return errors::InvalidArgument(graph::NodeLocation(node.def()), ": attr '", attr,
                                   "' must name a function");
  return FunctionRef(v->func().name(), v->func().attr());
}

Result<std::vector<FunctionRef>> FunctionRef::FromListAttr(const graph::Node& node,
                                                           std::string_view attr) {
  const tf::AttrValue* v = graph::FindAttr(node.def(), attr);
  if (v == nullptr || !v->has_list())
    return errors::InvalidArgument(graph::NodeLocation(node.def()), ": attr '", attr,
                                   "' must be a list of functions");
  std::vector<FunctionRef> out;
  for (const auto& f : v->list().func()) out.emplace_back(f.name(), f.attr());
  return out;
}

Result<const FunctionLibraryRuntime::Function*> FunctionRef::Get(const RunEnv& env) const {
  if (env.functions == nullptr)
    return errors::FailedPrecondition("calling function ", name_,
                                      " outside a session (no function library)");
  std::lock_guard<std::mutex> lock(*mu_);
  if (function_ != nullptr && owner_ == env.functions) return function_;
  TFPORT_ASSIGN_OR_RETURN(const FunctionLibraryRuntime::Function* f,
                          env.functions->Instantiate(name_, attrs_));
  owner_ = env.functions;
  function_ = f;
  return f;
}

}  // namespace tfport::runtime
