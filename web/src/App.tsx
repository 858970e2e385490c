import { Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { RequireSignIn } from './components/RequireSignIn';
import { AccountPage } from './pages/AccountPage';
import { CartPage } from './pages/CartPage';
import { CategoryPage } from './pages/CategoryPage';
import { CheckoutPage } from './pages/CheckoutPage';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OrderConfirmationPage } from './pages/OrderConfirmationPage';
import { OrderHistoryPage } from './pages/OrderHistoryPage';
import { OrderPage } from './pages/OrderPage';
import { ProductPage } from './pages/ProductPage';
import { SearchPage } from './pages/SearchPage';
import { SignInPage } from './pages/SignInPage';
import { SignUpPage } from './pages/SignUpPage';

/** App maps the store's addresses to its pages. */
export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<HomePage />} />
        <Route path="c/:slug" element={<CategoryPage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="p/:slug" element={<ProductPage />} />
        <Route path="cart" element={<CartPage />} />
        <Route path="checkout" element={<CheckoutPage />} />
        <Route path="orders/:id/confirmation" element={<OrderConfirmationPage />} />
        <Route path="orders/:id" element={<RequireSignIn><OrderPage /></RequireSignIn>} />
        <Route path="account" element={<RequireSignIn><AccountPage /></RequireSignIn>} />
        <Route path="account/orders" element={<RequireSignIn><OrderHistoryPage /></RequireSignIn>} />
        <Route path="signin" element={<SignInPage />} />
        <Route path="signup" element={<SignUpPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
