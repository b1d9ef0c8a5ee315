// Variable's accessors, flags and grad mode.
#include "autograd/variable.hpp"

#include "autograd/engine.hpp"
#include "autograd/node.hpp"
#include "autograd/tape_memory.hpp"

namespace xtgrad {

namespace {

thread_local bool grad_mode = true;

[[noreturn, gnu::noinline]] void throw_undefined(const char* what) {
  throw ValueError(std::string(what) + ": the Variable is undefined (default-constructed)");
}

// (The throw is out of line, so that this inlines into every accessor as a test and a branch.)
inline VariableImpl& checked(const std::shared_ptr<VariableImpl>& impl, const char* what) {
  if (!impl) throw_undefined(what);
  return *impl;
}

}  // namespace

bool grad_enabled() { return grad_mode; }
NoGradGuard::NoGradGuard() : previous_(grad_mode) { grad_mode = false; }
NoGradGuard::~NoGradGuard() { grad_mode = previous_; }
GradModeGuard::GradModeGuard(bool enabled) : previous_(grad_mode) { grad_mode = enabled; }
GradModeGuard::~GradModeGuard() { grad_mode = previous_; }

Variable::Variable(Tensor data, bool requires_grad) : impl_(make_on_tape<VariableImpl>()) {
  check_defined("Variable", data);
  impl_->data = std::move(data);
  set_requires_grad(requires_grad);
}

Variable Variable::from_node(Tensor data, std::shared_ptr<Node> node) {
  Variable v(std::move(data));
  v.impl_->requires_grad = true;
  v.impl_->grad_fn = std::move(node);
  return v;
}

Tensor Variable::data() const { return checked(impl_, "data").data; }
const Shape& Variable::shape() const { return checked(impl_, "shape").data.shape(); }
DType Variable::dtype() const { return checked(impl_, "dtype").data.dtype(); }
std::int64_t Variable::dim() const { return checked(impl_, "dim").data.dim(); }
std::int64_t Variable::numel() const { return checked(impl_, "numel").data.numel(); }
double Variable::item() const { return checked(impl_, "item").data.item(); }
bool Variable::requires_grad() const { return impl_ && impl_->requires_grad; }
bool Variable::is_leaf() const { return checked(impl_, "is_leaf").grad_fn == nullptr; }
const std::shared_ptr<Node>& Variable::grad_fn() const { return checked(impl_, "grad_fn").grad_fn; }
const Variable& Variable::grad() const { return checked(impl_, "grad").grad; }
void Variable::zero_grad() { checked(impl_, "zero_grad").grad = Variable(); }
const std::string& Variable::name() const { return checked(impl_, "name").name; }

void Variable::set_data(Tensor data) {
  VariableImpl& impl = checked(impl_, "set_data");
  check_defined("set_data", data);
  if (impl.grad_fn) {
    throw AutogradError(std::string("set_data: only leaves can have their values replaced; this "
                                    "Variable was computed by ") +
                        impl.grad_fn->name());
  }
  if (impl.requires_grad && !is_floating(data.dtype())) {
    throw DTypeError(
        "set_data: a Variable that requires grad needs float32 or float64 values, "
        "not " +
        dtype_name(data.dtype()));
  }
  if (data.shape() != impl.data.shape() || data.dtype() != impl.data.dtype()) {
    impl.grad = Variable();
  }
  impl.data = std::move(data);
}

Variable& Variable::set_requires_grad(bool requires_grad) {
  VariableImpl& impl = checked(impl_, "set_requires_grad");
  // A non-leaf always requires grad: asking for it again changes nothing (as in PyTorch's
  // requires_grad_(True)); only turning it off is refused.
  if (impl.grad_fn && requires_grad) return *this;
  if (impl.grad_fn) {
    throw AutogradError(
        "set_requires_grad: only leaves can change requires_grad; this Variable was computed by " +
        std::string(impl.grad_fn->name()) + " (use detach() for a constant copy)");
  }
  if (requires_grad && !is_floating(impl.data.dtype())) {
    throw DTypeError(
        "set_requires_grad: only float32 and float64 Variables can require "
        "gradients, not " +
        dtype_name(impl.data.dtype()));
  }
  impl.requires_grad = requires_grad;
  return *this;
}

void Variable::retain_grad() {
  VariableImpl& impl = checked(impl_, "retain_grad");
  if (!impl.grad_fn || impl.retains_grad) {
    return;  // leaves keep their gradient anyway
  }
  impl.retains_grad = true;
  impl.grad_fn->retained_grads.push_back(impl_);
}

Variable Variable::detach() const { return Variable(checked(impl_, "detach").data, false); }

Variable& Variable::set_name(std::string name) {
  checked(impl_, "set_name").name = std::move(name);
  return *this;
}

void Variable::backward(const Variable& grad_output, bool retain_graph, bool create_graph) const {
  checked(impl_, "backward");
  detail::backward_one(*this, grad_output, retain_graph, create_graph);
}

}  // namespace xtgrad
